// `eddy hub`: a local hub (docker-registry + token service), login, and finding and installing
// packages: `eddy hub smartmodule|connector|graph-module list|download GROUP/NAME@VERSION`.
import fs from 'node:fs';
import path from 'node:path';
import { Option, type Command } from 'commander';
import {
  HubClient, HubError, OciClient, generateSigningKey, hubPaths, parsePackageRef, readHubConfig, readSigningKey,
  registerOwner, resolveRegistry, startLocalHub, wasmFileOf, writeHubConfig, writeSigningKey, formatPackageRef,
  type ListedPackage, type PackageKind,
} from '@eddy/hub';
import { EddyError, ErrorCode } from '@eddy/protocol';
import { globalsOf, withClient } from '../context.ts';
import { CliError } from '../errors.ts';
import { printResult, type Column, type OutputFormat } from '../format/output.ts';
import { formatSize } from '../parse/size.ts';
import { intArg, outputOption } from './options.ts';

const COLUMNS: Column<ListedPackage>[] = [
  { header: 'PACKAGE', cell: (p) => `${p.group}/${p.name}@${p.version}` },
  { header: 'VISIBILITY', cell: (p) => p.visibility },
  { header: 'DESCRIPTION', cell: (p) => p.description },
];

/** Hub failures are the user's to fix: one line, as the CLI prints its own. */
async function hubAction<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof HubError) throw new CliError(err.message);
    throw err;
  }
}

export function registerHub(program: Command): void {
  const hub = program.command('hub').description('the Hub: publish, find and install SmartModules, connectors and graph modules on an OCI registry');

  hub.command('start')
    .description('run a local hub in the foreground: docker-registry with Eddy\'s token service, state under $EDDY_HOME/hub/local')
    .option('--dir <dir>', 'where the registry and token service keep their state')
    .addOption(new Option('--port <port>', 'registry port (default: a free one)').argParser(intArg()))
    .option('--no-auth', 'no token service: anyone may push and pull (no owners, nothing private)')
    .action(async (o: { dir?: string; port?: number; auth: boolean }) => hubAction(async () => {
      const local = await startLocalHub({ dir: o.dir ?? hubPaths().local, tokens: o.auth, registryPort: o.port });
      writeHubConfig({ registry: local.registryUrl });
      process.stdout.write(`hub registry at ${local.registryUrl}${local.tokenUrl ? `, token service at ${local.tokenUrl}` : ' (open: no token service)'}\n`);
      await new Promise<void>((resolve) => {
        const stop = () => { void local.stop().then(resolve); };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    }));

  hub.command('login')
    .description('make an Ed25519 key under $EDDY_HOME/hub (once) and register it with the hub\'s token service as <owner>')
    .requiredOption('--owner <name>', 'your owner name on the hub')
    .option('--hub <url>', 'registry (default: $EDDY_HUB or the local hub)')
    .action(async (o: { owner: string; hub?: string }) => hubAction(async () => {
      const keyFile = hubPaths().key;
      const key = fs.existsSync(keyFile) ? readSigningKey(keyFile) : generateSigningKey();
      if (!fs.existsSync(keyFile)) writeSigningKey(keyFile, key);
      const registry = resolveRegistry(o.hub);
      const registered = await registerOwner(new OciClient(registry), o.owner, key);
      writeHubConfig({ owner: o.owner, registry });
      process.stdout.write(registered
        ? `logged in to ${registry} as ${o.owner} (key ${keyFile})\n`
        : `${registry} has no token service (an open hub); packages will be signed as ${o.owner} with ${keyFile}\n`);
    }));

  hub.command('whoami').description('the owner and hub `eddy hub login` recorded').action(() => {
    const c = readHubConfig();
    process.stdout.write(`${c.owner ?? '(not logged in)'} at ${c.registry ?? '(no hub)'}\n`);
  });

  for (const kind of ['smartmodule', 'connector', 'graph-module'] as const) registerKind(hub, kind);
}

function registerKind(hub: Command, kind: PackageKind): void {
  const group = hub.command(kind).description(`${kind} packages on the hub`);
  group.command('list')
    .description(`the ${kind} packages you may read`)
    .option('--hub <url>', 'registry (default: $EDDY_HUB or the local hub)')
    .addOption(outputOption())
    .action(async (o: { hub?: string; output: OutputFormat }) => hubAction(async () => {
      const pkgs = await new HubClient({ registry: o.hub }).list(kind);
      printResult(o.output, pkgs, pkgs, COLUMNS, `No ${kind} packages found`);
    }));

  const download = group.command('download')
    .description(kind === 'smartmodule'
      ? 'fetch and verify GROUP/NAME@VERSION; with -o write its .wasm there, else install it into the cluster as NAME'
      : `fetch and verify GROUP/NAME@VERSION into the cache; with -o write its files to that directory`)
    .argument('<package>', 'GROUP/NAME@VERSION')
    .option('-o, --output-file <path>', kind === 'smartmodule' ? 'write the .wasm here instead of installing it' : 'directory to write the files to')
    .option('--hub <url>', 'registry (default: $EDDY_HUB or the local hub)')
    .option('--allow-unsigned', 'accept a package without a signature (local work only)');
  download.action(async (pkgName: string, o: { outputFile?: string; hub?: string; allowUnsigned?: boolean }, cmd: Command) => {
    const ref = await hubAction(async () => parsePackageRef(pkgName));
    const pkg = await hubAction(() => new HubClient({ registry: o.hub }).fetch(ref, { kind, allowUnsigned: o.allowUnsigned }));
    const name = formatPackageRef(ref);
    const file = (f: string) => pkg.files.find((x) => x.name === f)!.data;
    if (kind === 'smartmodule' || kind === 'graph-module') {
      const wasm = file(await hubAction(async () => wasmFileOf(pkg, name)));
      if (o.outputFile !== undefined) {
        writeAtomically(o.outputFile, wasm);
        process.stdout.write(`downloaded ${name} to ${o.outputFile} (${formatSize(wasm.length)})\n`);
        return;
      }
      await withClient(globalsOf(cmd), async (eddy) => {
        try {
          await eddy.admin().createSmartModule(ref.name, wasm, { version: ref.version, description: pkg.meta.description });
        } catch (err) {
          if (err instanceof EddyError && err.code === ErrorCode.SmartModuleExists) throw new CliError(`the cluster already has a SmartModule '${ref.name}' (delete it first: 'eddy smartmodule delete ${ref.name}')`);
          throw err;
        }
      });
      process.stdout.write(`installed ${name} as "${ref.name}" (version ${ref.version}, ${formatSize(wasm.length)})\n`);
      return;
    }
    if (o.outputFile === undefined) {
      process.stdout.write(`downloaded ${name} to ${pkg.dir}\n`);
      return;
    }
    fs.mkdirSync(o.outputFile, { recursive: true });
    for (const f of pkg.files) writeAtomically(path.join(o.outputFile, f.name), f.data);
    process.stdout.write(`downloaded ${name} to ${o.outputFile}\n`);
  });
}

/** Written aside and renamed, so a failure leaves no half-written file. */
function writeAtomically(file: string, data: Uint8Array): void {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, data);
  fs.renameSync(tmp, file);
}
