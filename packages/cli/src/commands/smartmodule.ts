import fs from 'node:fs/promises';
import type { Command } from 'commander';
import type { SmartModuleMeta } from '@eddy/protocol';
import { globalsOf, withClient } from '../context.ts';
import { CliError } from '../errors.ts';
import { outputOption } from './options.ts';
import { printResult } from '../format/output.ts';
import type { Column, OutputFormat } from '../format/output.ts';
import { formatSize } from '../parse/size.ts';

const COLUMNS: Column<SmartModuleMeta>[] = [
  { header: 'SMARTMODULE', cell: (m) => m.name },
  { header: 'VERSION', cell: (m) => m.spec.version },
  { header: 'SIZE', cell: (m) => formatSize(m.spec.sizeBytes) },
  { header: 'SHA256', cell: (m) => m.spec.sha256.slice(0, 12) },
  { header: 'EXPORTS', cell: (m) => m.spec.exports.join(',') },
];

interface Field { field: string; value: string | number }
const DESCRIBE_COLUMNS: Column<Field>[] = [
  { header: 'FIELD', cell: (r) => r.field },
  { header: 'VALUE', cell: (r) => r.value },
];

export function registerSmartModule(program: Command): void {
  const sm = program.command('smartmodule').alias('sm').description('register, list and delete SmartModules (WebAssembly)');

  sm.command('create')
    .description('register a SmartModule from a .wasm file')
    .argument('<name>', 'SmartModule name')
    .requiredOption('--wasm-file <file>', 'the compiled module')
    .option('--description <text>', 'a short description', '')
    .action(async (name: string, o: { wasmFile: string; description: string }, cmd: Command) => {
      let wasm: Buffer;
      try {
        wasm = await fs.readFile(o.wasmFile);
      } catch (err) {
        throw new CliError(`cannot read wasm file '${o.wasmFile}': ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
      }
      if (wasm.length < 8 || wasm.readUInt32BE(0) !== 0x0061736d) {
        throw new CliError(`'${o.wasmFile}' is not a WebAssembly module (no \\0asm header)`);
      }
      await withClient(globalsOf(cmd), (eddy) => eddy.admin().createSmartModule(name, wasm, { description: o.description }));
      process.stdout.write(`smartmodule "${name}" created (${formatSize(wasm.length)})\n`);
    });

  sm.command('list')
    .description('list SmartModules (name, size, hash; never the payload)')
    .addOption(outputOption())
    .action(async (o: { output: OutputFormat }, cmd: Command) => {
      const mods = await withClient(globalsOf(cmd), (eddy) => eddy.admin().listSmartModules());
      mods.sort((a, b) => a.name.localeCompare(b.name));
      printResult(o.output, mods, mods, COLUMNS, 'No smartmodules found');
    });

  sm.command('describe')
    .description("show a SmartModule's metadata")
    .argument('<name>', 'SmartModule name')
    .addOption(outputOption())
    .action(async (name: string, o: { output: OutputFormat }, cmd: Command) => {
      const mods = await withClient(globalsOf(cmd), (eddy) => eddy.admin().listSmartModules([name]));
      const m = mods.find((x) => x.name === name);
      if (!m) throw new CliError(`unknown smartmodule '${name}'`);
      const rows: Field[] = [
        { field: 'Name', value: m.name },
        { field: 'Version', value: m.spec.version },
        { field: 'Description', value: m.spec.description },
        { field: 'Size', value: `${formatSize(m.spec.sizeBytes)} (${m.spec.sizeBytes} bytes)` },
        { field: 'SHA-256', value: m.spec.sha256 },
        { field: 'Exports', value: m.spec.exports.join(', ') },
        { field: 'Created', value: m.spec.createdMs > 0 ? new Date(m.spec.createdMs).toISOString() : '-' },
      ];
      printResult(o.output, m, rows, DESCRIBE_COLUMNS, '');
    });

  sm.command('delete')
    .description('delete a SmartModule')
    .argument('<name>', 'SmartModule name')
    .action(async (name: string, _o: unknown, cmd: Command) => {
      await withClient(globalsOf(cmd), (eddy) => eddy.admin().deleteSmartModule(name));
      process.stdout.write(`smartmodule "${name}" deleted\n`);
    });
}
