import fs from 'node:fs/promises';
import type { Command } from 'commander';
import type { Connector } from '@eddy/protocol';
import { globalsOf, withClient } from '../context.ts';
import { CliError, fileProblem } from '../errors.ts';
import { intArg, outputOption } from './options.ts';
import { printResult } from '../format/output.ts';
import type { Column, OutputFormat } from '../format/output.ts';
import { formatElapsed } from '../parse/duration.ts';

function uptime(c: Connector): string {
  return c.status.state === 'Running' && c.status.startedAtMs !== null ? formatElapsed(Math.max(0, Date.now() - c.status.startedAtMs)) : '-';
}

const COLUMNS: Column<Connector>[] = [
  { header: 'NAME', cell: (c) => c.name },
  { header: 'TYPE', cell: (c) => c.spec.type },
  { header: 'STATUS', cell: (c) => c.status.state },
  { header: 'RESTARTS', cell: (c) => c.status.restarts },
  { header: 'UPTIME', cell: uptime },
  { header: 'LAST ERROR', cell: (c) => c.status.lastError ?? '-' },
];

interface Field { field: string; value: string | number }
const DESCRIBE_COLUMNS: Column<Field>[] = [
  { header: 'FIELD', cell: (r) => r.field },
  { header: 'VALUE', cell: (r) => r.value },
];

async function readText(file: string, what: string): Promise<string> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (err) {
    throw new CliError(`cannot read ${what} file '${file}': ${fileProblem(err)}`);
  }
}

export function registerConnector(program: Command): void {
  const connector = program.command('connector').description('connectors the cluster runs and supervises (Fluvio connector configs)');

  connector.command('create')
    .description('create a connector from its config (the name and type come from meta); the cluster runs it')
    .requiredOption('--config <file>', 'the connector config (YAML, apiVersion 0.1.0 or 0.2.0)')
    .option('--secrets <file>', 'secrets for ${{ secrets.NAME }} references (NAME=value lines); stored by the broker, never shown')
    .action(async (o: { config: string; secrets?: string }, cmd: Command) => {
      const config = await readText(o.config, 'config');
      const secrets = o.secrets === undefined ? null : await readText(o.secrets, 'secrets');
      const name = await withClient(globalsOf(cmd), (eddy) => eddy.admin().createConnector(config, secrets));
      process.stdout.write(`connector "${name}" created\n`);
    });

  connector.command('update')
    .description("replace a connector's config (and secrets, when given); it restarts with them")
    .requiredOption('--config <file>', 'the new config (its meta.name names the connector)')
    .option('--secrets <file>', 'new secrets (default: keep the stored ones)')
    .action(async (o: { config: string; secrets?: string }, cmd: Command) => {
      const config = await readText(o.config, 'config');
      const secrets = o.secrets === undefined ? null : await readText(o.secrets, 'secrets');
      const name = await withClient(globalsOf(cmd), (eddy) => eddy.admin().updateConnector(config, secrets));
      process.stdout.write(`connector "${name}" updated\n`);
    });

  connector.command('list')
    .description('list connectors with their status, restarts and last error')
    .addOption(outputOption())
    .action(async (o: { output: OutputFormat }, cmd: Command) => {
      const rows = await withClient(globalsOf(cmd), (eddy) => eddy.admin().listConnectors());
      printResult(o.output, rows, rows, COLUMNS, 'No connectors found');
    });

  connector.command('describe')
    .description("show a connector's config, secret names and status")
    .argument('<name>', 'connector name')
    .addOption(outputOption())
    .action(async (name: string, o: { output: OutputFormat }, cmd: Command) => {
      const c = await withClient(globalsOf(cmd), (eddy) => eddy.admin().describeConnector(name));
      const rows: Field[] = [
        { field: 'Name', value: c.name },
        { field: 'Type', value: c.spec.type },
        { field: 'Status', value: c.status.state },
        { field: 'Restarts', value: c.status.restarts },
        { field: 'Last error', value: c.status.lastError ?? '-' },
        { field: 'Pid', value: c.status.pid ?? '-' },
        { field: 'Started', value: c.status.startedAtMs !== null ? new Date(c.status.startedAtMs).toISOString() : '-' },
        { field: 'Secrets', value: c.spec.secretNames.length > 0 ? c.spec.secretNames.join(', ') : '-' },
        { field: 'Generation', value: c.spec.generation },
        { field: 'Created', value: new Date(c.spec.createdMs).toISOString() },
        { field: 'Updated', value: new Date(c.spec.updatedMs).toISOString() },
      ];
      if (o.output === 'table') {
        printResult(o.output, c, rows, DESCRIBE_COLUMNS, '');
        process.stdout.write(`\nConfig:\n${c.spec.config.endsWith('\n') ? c.spec.config : `${c.spec.config}\n`}`);
      } else {
        printResult(o.output, c, rows, DESCRIBE_COLUMNS, '');
      }
    });

  connector.command('logs')
    .description("print a connector's output as the broker captured it")
    .argument('<name>', 'connector name')
    .option('-n, --lines <n>', 'only the last N lines (default: all the broker keeps)', intArg(0, 1_000_000))
    .action(async (name: string, o: { lines?: number }, cmd: Command) => {
      const text = await withClient(globalsOf(cmd), (eddy) => eddy.admin().connectorLogs(name, o.lines ?? 0));
      process.stdout.write(text);
    });

  connector.command('delete')
    .description('stop a connector and remove it (with its stored secrets and log)')
    .argument('<name>', 'connector name')
    .action(async (name: string, _o: unknown, cmd: Command) => {
      await withClient(globalsOf(cmd), (eddy) => eddy.admin().deleteConnector(name));
      process.stdout.write(`connector "${name}" deleted\n`);
    });
}
