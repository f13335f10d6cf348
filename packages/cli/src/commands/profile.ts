import type { Command } from 'commander';
import { addProfile, listProfiles, switchProfile, deleteProfile, currentProfile } from '../client.ts';
import net from 'node:net';
import { DEFAULT_PORT } from '@eddy/protocol';
import { CliError } from '../errors.ts';
import { outputOption } from './options.ts';
import { printResult } from '../format/output.ts';
import type { Column, OutputFormat } from '../format/output.ts';

interface Row { current: boolean; name: string; endpoint: string }

const COLUMNS: Column<Row>[] = [
  { header: '', cell: (r) => (r.current ? '*' : '') },
  { header: 'PROFILE', cell: (r) => r.name },
  { header: 'ENDPOINT', cell: (r) => r.endpoint },
];

// Profiles live in $EDDY_HOME/config.yaml and are managed by @eddy/client, which validates names
// and endpoints and names the problem in its errors.
export function registerProfile(program: Command): void {
  const profile = program.command('profile').description('named cluster connections ($EDDY_HOME/config.yaml)');

  profile.command('add')
    .description('add or update a profile (it becomes current only if there is none; see switch)')
    .argument('<name>', 'profile name')
    .argument('<endpoint>', `host:port of the cluster (port ${DEFAULT_PORT} if left out)`)
    .action((name: string, endpoint: string) => {
      checkEndpointShape(endpoint);
      const p = addProfile(name, endpoint);
      process.stdout.write(`profile "${p.name}" added (${p.endpoint})\n`);
    });

  profile.command('list')
    .description('list profiles (* marks the current one)')
    .addOption(outputOption())
    .action((o: { output: OutputFormat }) => {
      const rows: Row[] = listProfiles().map((p) => ({ current: p.current, name: p.name, endpoint: p.endpoint }));
      printResult(o.output, rows, rows, COLUMNS, "No profiles (add one with 'eddy profile add NAME HOST:PORT')");
    });

  profile.command('switch')
    .description('make a profile current')
    .argument('<name>', 'profile name')
    .action((name: string) => {
      switchProfile(name);
      process.stdout.write(`switched to profile "${name}"\n`);
    });

  profile.command('delete')
    .description('delete a profile')
    .argument('<name>', 'profile name')
    .action((name: string) => {
      deleteProfile(name);
      process.stdout.write(`profile "${name}" deleted\n`);
    });

  profile.command('current')
    .description('print the current profile')
    .addOption(outputOption())
    .action((o: { output: OutputFormat }) => {
      const cur = currentProfile();
      if (!cur) throw new CliError("no current profile (start a cluster with 'eddy cluster start' or add one with 'eddy profile add')");
      if (o.output === 'table') process.stdout.write(`${cur.name} (${cur.endpoint})\n`);
      else printResult(o.output, { name: cur.name, endpoint: cur.endpoint }, [], [], '');
    });
}

/**
 * Refuses endpoints the client would accept but cannot be meant: a URL, or a host that is neither
 * a name nor an IP address (only found later, as a failed lookup). The client checks the port.
 */
function checkEndpointShape(endpoint: string): void {
  const text = endpoint.trim();
  const url = /^([a-z][a-z0-9+.-]*):\/\/([^/]*)/i.exec(text);
  if (url !== null) throw new CliError(`invalid endpoint '${endpoint}': give host:port without '${url[1]}://', e.g. '${url[2] || `localhost:${DEFAULT_PORT}`}'`);
  const bracketed = /^\[([^\]]*)\]/.exec(text);
  const colons = text.split(':').length - 1;
  const host = bracketed !== null ? bracketed[1] : colons > 1 ? text : text.replace(/:[^:]*$/, '');
  if (bracketed !== null || colons > 1) {
    if (!net.isIPv6(host)) throw new CliError(`invalid endpoint '${endpoint}': '${host}' is not an IPv6 address (write host:port, or [v6-address]:port)`);
    return;
  }
  if (host !== '' && !net.isIPv4(host) && !/^(?=.{1,253}$)[A-Za-z0-9_](?:[A-Za-z0-9_-]*[A-Za-z0-9_])?(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]*[A-Za-z0-9_])?)*\.?$/.test(host)) {
    throw new CliError(`invalid endpoint '${endpoint}': '${host}' is not a host name or IP address (write host:port, e.g. localhost:${DEFAULT_PORT})`);
  }
}
