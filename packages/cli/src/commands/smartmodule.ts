import fs from 'node:fs/promises';
import { Option } from 'commander';
import type { Command } from 'commander';
import { ModuleKind, MODULE_VERSION_RE, parseModuleRef } from '@eddy/protocol';
import type { SmartModuleMeta } from '@eddy/protocol';
import { globalsOf, withClient } from '../context.ts';
import { CliError, fileProblem } from '../errors.ts';
import { intArg, outputOption } from './options.ts';
import { printResult } from '../format/output.ts';
import type { Column, OutputFormat } from '../format/output.ts';
import { formatSize } from '../parse/size.ts';

/** 'smartmodule', or 'graph operator (map,filter)'. */
export function moduleKindText(m: SmartModuleMeta): string {
  return m.spec.kind === ModuleKind.graphOperator ? `graph operator (${m.spec.operators.join(',')})` : 'smartmodule';
}

/** The ABI version streams call the module with: the recorded one, or 'default' (the newest). */
export function abiVersionText(m: SmartModuleMeta): string {
  return m.spec.abiVersion === null ? 'default' : String(m.spec.abiVersion);
}

const COLUMNS: Column<SmartModuleMeta>[] = [
  { header: 'NAME', cell: (m) => m.name },
  { header: 'VERSION', cell: (m) => m.spec.version },
  { header: 'KIND', cell: moduleKindText },
  { header: 'ABI', cell: abiVersionText },
  { header: 'SIZE', cell: (m) => formatSize(m.spec.sizeBytes) },
  { header: 'SHA256', cell: (m) => m.spec.sha256.slice(0, 12) },
];

interface Field { field: string; value: string | number }
const DESCRIBE_COLUMNS: Column<Field>[] = [
  { header: 'FIELD', cell: (r) => r.field },
  { header: 'VALUE', cell: (r) => r.value },
];

export function registerSmartModule(program: Command): void {
  const sm = program.command('smartmodule').alias('sm').description('register, list and delete SmartModules and graph operator modules (WebAssembly), by name:version');

  sm.command('create')
    .description('register a module version from a .wasm file (a SmartModule, or a graph operator module when it exports graph_abi_version)')
    .argument('<name>', 'module name (or name:version)')
    .requiredOption('--wasm-file <file>', 'the compiled module')
    .option('--version <version>', 'module version (default 0.1.0)')
    .option('--description <text>', 'a short description', '')
    // The broker checks the range against its engine's (one source of truth); i16 on the wire.
    .addOption(new Option('--abi-version <n>', 'SmartModule ABI version every stream using it calls it with (e.g. 21 for a Fluvio module built before ABI 22; default: the newest)').argParser(intArg(0, 0x7fff)))
    .action(async (nameArg: string, o: { wasmFile: string; version?: string; description: string; abiVersion?: number }, cmd: Command) => {
      const { name, version } = moduleNameAndVersion(nameArg, o.version);
      const wasm = await readWasmFile(o.wasmFile);
      await withClient(globalsOf(cmd), (eddy) => eddy.admin().createSmartModule(name, wasm, {
        version, description: o.description, ...(o.abiVersion !== undefined ? { abiVersion: o.abiVersion } : {}),
      }));
      const abi = o.abiVersion !== undefined ? `, ABI version ${o.abiVersion}` : '';
      process.stdout.write(`smartmodule "${name}" created (version ${version}, ${formatSize(wasm.length)}${abi})\n`);
    });

  sm.command('list')
    .description('list module versions (name, version, kind, size, hash; never the payload)')
    .addOption(outputOption())
    .action(async (o: { output: OutputFormat }, cmd: Command) => {
      const mods = await withClient(globalsOf(cmd), (eddy) => eddy.admin().listSmartModules());
      mods.sort((a, b) => a.name.localeCompare(b.name));
      printResult(o.output, mods, mods, COLUMNS, 'No smartmodules found');
    });

  sm.command('describe')
    .description("show a module version's metadata")
    .argument('<name>', 'name:version, or a name with one version')
    .addOption(outputOption())
    .action(async (name: string, o: { output: OutputFormat }, cmd: Command) => {
      const mods = await withClient(globalsOf(cmd), (eddy) => eddy.admin().listSmartModules([name]));
      if (mods.length > 1) throw new CliError(`smartmodule '${name}' has ${mods.length} versions (${mods.map((x) => x.spec.version).join(', ')}): name one as ${name}:VERSION`);
      const m = mods[0];
      if (!m) throw new CliError(`unknown smartmodule '${name}'`);
      const rows: Field[] = [
        { field: 'Name', value: m.name },
        { field: 'Version', value: m.spec.version },
        { field: 'Kind', value: moduleKindText(m) },
        ...(m.spec.kind === ModuleKind.graphOperator ? [] : [{ field: 'ABI version', value: abiVersionText(m) }]),
        { field: 'Description', value: m.spec.description },
        { field: 'Size', value: `${formatSize(m.spec.sizeBytes)} (${m.spec.sizeBytes} bytes)` },
        { field: 'SHA-256', value: m.spec.sha256 },
        { field: 'Exports', value: m.spec.exports.join(', ') },
        { field: 'Created', value: m.spec.createdMs > 0 ? new Date(m.spec.createdMs).toISOString() : '-' },
      ];
      printResult(o.output, m, rows, DESCRIBE_COLUMNS, '');
    });

  sm.command('delete')
    .description('delete a module version (name:version), or every version of a name')
    .argument('<name>', 'name:version, or name for all its versions')
    .action(async (name: string, _o: unknown, cmd: Command) => {
      await withClient(globalsOf(cmd), (eddy) => eddy.admin().deleteSmartModule(name));
      process.stdout.write(`smartmodule "${name}" deleted\n`);
    });
}

/** NAME or NAME:VERSION plus --version (which must agree); the version defaults to 0.1.0. */
export function moduleNameAndVersion(text: string, versionOption?: string): { name: string; version: string } {
  const ref = parseModuleRef(text);
  if (ref.version !== null && versionOption !== undefined && ref.version !== versionOption) {
    throw new CliError(`'${text}' names version ${ref.version} but --version is ${versionOption}`);
  }
  const version = ref.version ?? versionOption ?? '0.1.0';
  if (!MODULE_VERSION_RE.test(version)) throw new CliError(`invalid version '${version}': use 1..64 characters of [A-Za-z0-9._+-]`);
  return { name: ref.name, version };
}

/** Reads a .wasm file, refusing one without the \\0asm header. */
export async function readWasmFile(file: string): Promise<Buffer> {
  let wasm: Buffer;
  try {
    wasm = await fs.readFile(file);
  } catch (err) {
    throw new CliError(`cannot read wasm file '${file}': ${fileProblem(err)}`);
  }
  if (wasm.length < 8 || wasm.readUInt32BE(0) !== 0x0061736d) {
    throw new CliError(`'${file}' is not a WebAssembly module (no \\0asm header)`);
  }
  return wasm;
}
