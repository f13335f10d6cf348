import type { Command } from 'commander';
import { addProfile, listProfiles, switchProfile, deleteProfile, currentProfile } from '../client.ts';
import { CliError } from '../errors.ts';
import { parseEndpoint, formatEndpoint } from '../endpoint.ts';
import { ParseError } from '../parse/parse_error.ts';
import { outputOption } from './options.ts';
import { printResult } from '../format/output.ts';
import type { Column, OutputFormat } from '../format/output.ts';
import { DEFAULT_PORT } from '../home.ts';

interface Row { current: boolean; name: string; endpoint: string }

const COLUMNS: Column<Row>[] = [
  { header: '', cell: (r) => (r.current ? '*' : '') },
  { header: 'PROFILE', cell: (r) => r.name },
  { header: 'ENDPOINT', cell: (r) => r.endpoint },
];

export function registerProfile(program: Command): void {
  const profile = program.command('profile').description('named cluster connections ($EDDY_HOME/config.yaml)');

  profile.command('add')
    .description('add or update a profile (it does not become current; see switch)')
    .argument('<name>', 'profile name')
    .argument('<endpoint>', 'host:port of the cluster')
    .action(async (name: string, endpoint: string) => {
      if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) {
        throw new CliError(`invalid profile name '${name}': use letters, digits, '.', '_' and '-'`);
      }
      let ep: string;
      try {
        ep = formatEndpoint(parseEndpoint(endpoint, DEFAULT_PORT));
      } catch (err) {
        if (err instanceof ParseError) throw new CliError(err.message);
        throw err;
      }
      await addProfile(name, ep);
      process.stdout.write(`profile "${name}" added (${ep})\n`);
    });

  profile.command('list')
    .description('list profiles (* marks the current one)')
    .addOption(outputOption())
    .action(async (o: { output: OutputFormat }) => {
      const [all, cur] = await Promise.all([listProfiles(), currentProfile()]);
      const rows: Row[] = all.map((p) => ({ current: p.name === cur?.name, name: p.name, endpoint: p.endpoint }));
      printResult(o.output, rows, rows, COLUMNS, "No profiles (add one with 'eddy profile add NAME HOST:PORT')");
    });

  profile.command('switch')
    .description('make a profile current')
    .argument('<name>', 'profile name')
    .action(async (name: string) => {
      const all = await listProfiles();
      if (!all.some((p) => p.name === name)) throw new CliError(`unknown profile '${name}' (see 'eddy profile list')`);
      await switchProfile(name);
      process.stdout.write(`switched to profile "${name}"\n`);
    });

  profile.command('delete')
    .description('delete a profile')
    .argument('<name>', 'profile name')
    .action(async (name: string) => {
      const all = await listProfiles();
      if (!all.some((p) => p.name === name)) throw new CliError(`unknown profile '${name}' (see 'eddy profile list')`);
      await deleteProfile(name);
      process.stdout.write(`profile "${name}" deleted\n`);
    });

  profile.command('current')
    .description('print the current profile')
    .addOption(outputOption())
    .action(async (o: { output: OutputFormat }) => {
      const cur = await currentProfile();
      if (!cur) throw new CliError("no current profile (start a cluster with 'eddy cluster start' or add one with 'eddy profile add')");
      if (o.output === 'table') process.stdout.write(`${cur.name} (${cur.endpoint})\n`);
      else printResult(o.output, { name: cur.name, endpoint: cur.endpoint }, [], [], '');
    });
}
