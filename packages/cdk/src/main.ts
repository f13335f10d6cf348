import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import AjvModule from 'ajv';
import { deploymentDir, listDeployments, readState, shutdownDeployment, startDeployment, supervise } from './deployments.ts';
import { generateProject } from './generate.ts';
import { publish, setPublic } from './publish.ts';
import { CdkError, binFor, configIdentity, loadProject, type Project } from './project.ts';

const Ajv = (AjvModule as unknown as { default: typeof AjvModule.default }).default ?? AjvModule;
// The supervisor re-runs cdk through the shim, which finds the sources in the repo and dist/ installed.
const CDK_ENTRY = new URL('../bin/cdk.js', import.meta.url).pathname;

const USAGE = `cdk: build, test and deploy Eddy connectors

  cdk generate NAME [--sink] [--dir DIR]        a new TypeScript connector project
  cdk build [--bin FILE]                        type-check (when TypeScript is installed) and check metadata
  cdk test --config F [--secrets F] [--bin FILE] [--endpoint HOST:PORT]
                                                run the connector in the foreground
  cdk deploy start --config F [--secrets F] [--bin FILE] [--endpoint HOST:PORT]
  cdk deploy shutdown --name N
  cdk deploy list
  cdk deploy log --name N
  cdk publish [--pack] [--push] [--public-yes] [--group G] [--hub URL] [--dir PROJECT]
                                                sign and push the project to the hub as a connector package
  cdk set-public [--public-yes] [--group G] [--hub URL]
Deployments are supervised processes (restarted with backoff on a crash), kept under $EDDY_HOME/connectors.`;

type Out = (t: string) => void;

/** Runs `cdk ARGS`; resolves with the exit code. */
export async function main(args: string[], out: Out = (t) => process.stdout.write(t), err: Out = (t) => process.stderr.write(t)): Promise<number> {
  try {
    return await dispatch(args, out, err);
  } catch (e) {
    err(`cdk: ${(e as Error).message.split('\n')[0]}\n`);
    return e instanceof CdkError ? 2 : 1;
  }
}

async function dispatch(args: string[], out: Out, err: Out): Promise<number> {
  const { values: v, positionals: pos } = parseArgs({
    args, allowPositionals: true,
    options: {
      config: { type: 'string', short: 'c' }, secrets: { type: 'string' }, bin: { type: 'string' }, endpoint: { type: 'string' },
      name: { type: 'string' }, dir: { type: 'string' }, sink: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
      pack: { type: 'boolean' }, push: { type: 'boolean' }, 'public-yes': { type: 'boolean' }, group: { type: 'string' }, hub: { type: 'string' },
    },
  });
  const [cmd, sub] = pos;
  if (v.help || cmd === undefined || cmd === 'help') { out(`${USAGE}\n`); return 0; }
  const project = (): Project | null => (existsSync('package.json') ? loadProject('.') : null);
  switch (cmd) {
    case 'generate': {
      if (sub === undefined) throw new CdkError('usage: cdk generate NAME');
      const root = generateProject({ name: sub, dir: v.dir, direction: v.sink ? 'sink' : undefined });
      out(`created ${root}\n`);
      return 0;
    }
    case 'build': return build(project(), v.bin, out, err);
    case 'test': {
      const config = need(v.config, '--config');
      const id = configIdentity(config);
      const bin = binFor(v.bin === undefined ? project() : null, id.type, v.bin);
      const child = spawn(process.execPath, [bin, '--config', config, ...opt('--secrets', v.secrets), ...opt('--endpoint', v.endpoint)], { stdio: 'inherit' });
      const forward = (s: NodeJS.Signals) => () => child.kill(s);
      process.on('SIGINT', forward('SIGINT'));
      process.on('SIGTERM', forward('SIGTERM'));
      return await new Promise<number>((res) => child.once('exit', (c) => res(c ?? 1)));
    }
    case 'deploy': return deploy(sub, v, project, out);
    case 'publish':
    case 'set-public': {
      const o = { dir: v.dir ?? '.', pack: v.pack, push: v.push, publicYes: v['public-yes'], group: v.group, hub: v.hub };
      return cmd === 'publish' ? publish(o, out) : setPublic(o, out);
    }
    default: throw new CdkError(`unknown command '${cmd}' (cdk --help)`);
  }
}

async function deploy(sub: string | undefined, v: Record<string, string | boolean | undefined>, project: () => Project | null, out: Out): Promise<number> {
  switch (sub) {
    case 'start': {
      const config = need(v.config as string | undefined, '--config');
      const id = configIdentity(config);
      const bin = binFor(v.bin === undefined ? project() : null, id.type, v.bin as string | undefined);
      const st = await startDeployment({
        name: id.name, type: id.type, bin, config, secrets: v.secrets as string | undefined, endpoint: v.endpoint as string | undefined, cdkEntry: CDK_ENTRY,
      });
      out(`deployed connector '${st.name}' (supervisor pid ${st.supervisorPid}); logs: cdk deploy log --name ${st.name}\n`);
      return 0;
    }
    case 'shutdown': {
      const name = need(v.name as string | undefined, '--name');
      await shutdownDeployment(name);
      out(`connector '${name}' shut down\n`);
      return 0;
    }
    case 'list': {
      const rows = listDeployments();
      const lines = [['NAME', 'TYPE', 'STATUS', 'PID', 'RESTARTS', 'LAST EXIT']];
      for (const s of rows) lines.push([s.name, s.type ?? '-', s.status, String(s.connectorPid ?? '-'), String(s.restarts), s.lastExit ?? '-']);
      const w = lines[0].map((_, i) => Math.max(...lines.map((l) => l[i].length)));
      out(`${lines.map((l) => l.map((c, i) => c.padEnd(w[i])).join('  ').trimEnd()).join('\n')}\n`);
      return 0;
    }
    case 'log': {
      const name = need(v.name as string | undefined, '--name');
      if (readState(name) === null) throw new CdkError(`no connector deployment named '${name}'`);
      const file = join(deploymentDir(name), 'connector.log');
      out(existsSync(file) ? readFileSync(file, 'utf8') : '');
      return 0;
    }
    case 'supervise': return supervise(need(v.name as string | undefined, '--name'));
    default: throw new CdkError('usage: cdk deploy start|shutdown|list|log');
  }
}

/** Type-checks with the project's (or cdk's) TypeScript when present, then runs `metadata` and validates it. */
function build(project: Project | null, bin: string | undefined, out: Out, err: Out): number {
  const p = project;
  const dir = p?.dir ?? process.cwd();
  let tsc: string | null = null;
  for (const from of [join(dir, 'package.json'), import.meta.url]) {
    try { tsc = join(dirname(createRequire(from).resolve('typescript/package.json')), 'bin', 'tsc'); break; } catch { /* not here */ }
  }
  if (tsc !== null && existsSync(join(dir, 'tsconfig.json'))) {
    const r = spawnSync(process.execPath, [tsc, '-p', join(dir, 'tsconfig.json'), '--noEmit'], { encoding: 'utf8', cwd: dir });
    if (r.status !== 0) { err(r.stdout + r.stderr); err('cdk: type check failed\n'); return 1; }
    out('type check: ok\n');
  } else {
    out('type check: skipped (no TypeScript or tsconfig.json)\n');
  }
  const bins = bin !== undefined ? [bin] : [...(p?.bins.values() ?? [])];
  if (bins.length === 0) throw new CdkError('no connector bin to build (give --bin or run in a project)');
  for (const b of bins) {
    const r = spawnSync(process.execPath, [b, 'metadata'], { encoding: 'utf8', cwd: dir });
    if (r.status !== 0) { err(r.stderr); err(`cdk: ${b} metadata failed\n`); return 1; }
    const md = JSON.parse(r.stdout) as { name: string; direction: string; schema: object; version: string };
    const ajv = new Ajv({ strict: false });
    if (!ajv.validateSchema(md.schema)) { err(`cdk: ${md.name}: its options schema is not valid JSON Schema: ${ajv.errorsText()}\n`); return 1; }
    out(`${md.name} ${md.version} (${md.direction}): metadata ok\n`);
  }
  return 0;
}

function need(v: string | undefined, flag: string): string {
  if (v === undefined) throw new CdkError(`${flag} is required`);
  return v;
}

function opt(flag: string, v: string | undefined): string[] {
  return v === undefined ? [] : [flag, v];
}

