// What a user gets: the packages packed into tarballs (scripts/pack.ts), installed with npm into an
// empty directory, and run without the repo's `source` condition under Node 22, 24 and 26 (22 and
// 24 from the npm registry, cached in tmp/nodes/): the `eddy` and `smdk` commands, a connector
// (`file-source`) and a plain `node` script importing @eddy/client. An older Node gets the
// one-line message instead.
import { execFile } from 'node:child_process';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const NODES_DIR = path.join(ROOT, 'tmp', 'nodes');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'eddy-install-'));
const app = path.join(work, 'app');

/** The environment of a user's shell: none of the repo's NODE_OPTIONS (the `source` condition). */
function userEnv(nodeBin: string, home: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${path.dirname(nodeBin)}${path.delimiter}${process.env.PATH ?? ''}`, EDDY_HOME: home, HOME: home };
  delete env.NODE_OPTIONS;
  for (const k of Object.keys(env)) if (k.startsWith('npm_')) delete env[k];
  return env;
}

interface Run { code: number; stdout: string; stderr: string }

function run(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd: opts.cwd ?? work, env: opts.env, timeout: opts.timeoutMs ?? 120_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

async function ok(cmd: string, args: string[], opts: Parameters<typeof run>[2] = {}): Promise<string> {
  const r = await run(cmd, args, opts);
  assert.equal(r.code, 0, `${path.basename(cmd)} ${args.join(' ')} failed (${r.code}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

const npmEnv = (): NodeJS.ProcessEnv => {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  return env;
};

/** A Node binary of that major version from the npm registry's `node` package, cached in tmp/nodes/. */
async function nodeFromNpm(major: number): Promise<string> {
  const prefix = path.join(NODES_DIR, String(major));
  const bin = path.join(prefix, 'node_modules', 'node', 'bin', 'node');
  if (!fs.existsSync(bin)) {
    fs.mkdirSync(prefix, { recursive: true });
    await ok('npm', ['install', '--prefix', prefix, '--no-save', '--no-audit', '--no-fund', '--loglevel=error', `node@${major}`], { env: npmEnv(), timeoutMs: 300_000 });
  }
  return bin;
}

/** A Node older than 22 on PATH (the machine's), else one from the registry. */
async function olderNode(): Promise<string> {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const bin = path.join(dir, 'node');
    if (!fs.existsSync(bin)) continue;
    const r = await run(bin, ['-p', 'process.versions.node'], { env: npmEnv() });
    if (r.code === 0 && Number(r.stdout.split('.')[0]) < 22) return bin;
  }
  return nodeFromNpm(20);
}

const nodes = new Map<string, string>();
let oldNode = '';
let tarballFiles: string[] = [];

before(async () => {
  const tarballs = path.join(work, 'pack');
  const [packed, node22, node24, older] = await Promise.all([
    ok(process.execPath, [path.join(ROOT, 'scripts', 'pack.ts'), '--out', tarballs], { cwd: ROOT, timeoutMs: 180_000 }),
    nodeFromNpm(22),
    nodeFromNpm(24),
    olderNode(),
  ]);
  nodes.set('22', node22).set('24', node24).set('26', process.execPath);
  oldNode = older;
  const files = packed.trim().split('\n');
  tarballFiles = files;
  assert.equal(files.length, 15, `fifteen tarballs: ${packed}`);
  fs.mkdirSync(app);
  fs.writeFileSync(path.join(app, 'package.json'), '{ "name": "app", "private": true, "type": "module" }\n');
  // --prefer-offline: the dependencies are in npm's cache after the repo's own `npm ci`.
  // --ignore-scripts: as the repo's allowScripts does, onnxruntime-node's install script (it
  // fetches GPU builds from nuget.org) stays off; its CPU binaries ship in the package.
  await ok('npm', ['install', '--prefer-offline', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error', ...files], { cwd: app, env: npmEnv(), timeoutMs: 300_000 });
  fs.writeFileSync(path.join(app, 'client.js'), [
    "import { Eddy } from '@eddy/client';",
    'const eddy = await Eddy.connect({ endpoint: process.argv[2] });',
    "const topics = await eddy.admin().listTopics();",
    "console.log(topics.map((t) => t.name).join(','));",
    'await eddy.close();',
    '',
  ].join('\n'));
});

after(() => fs.rmSync(work, { recursive: true, force: true }));

const bin = (name: string): string => path.join(app, 'node_modules', '.bin', name);

for (const version of ['22', '24', '26']) {
  test(`installed commands and client under Node ${version}`, async () => {
    const node = nodes.get(version)!;
    const home = path.join(work, `home-${version}`);
    const env = userEnv(node, home);
    assert.match(await ok(node, ['--version'], { env }), new RegExp(`^v${version}\\.`));
    assert.equal((await ok(bin('eddy'), ['--version'], { env, cwd: app })).trim(), '0.1.0');
    assert.equal((await ok(bin('smdk'), ['--version'], { env, cwd: app })).trim(), '0.1.0');
    // A connector from its tarball: the kit and the connector's compiled code load.
    assert.equal((JSON.parse(await ok(bin('file-source'), ['metadata'], { env, cwd: app })) as { name: string }).name, 'file-source');

    await ok(bin('eddy'), ['cluster', 'start', '--port', '0', '--metrics-port', '-1'], { env, cwd: app });
    try {
      await ok(bin('eddy'), ['topic', 'create', `t${version}`], { env, cwd: app });
      assert.match(await ok(bin('eddy'), ['topic', 'list'], { env, cwd: app }), new RegExp(`^t${version}\\s`, 'm'));
      const state = JSON.parse(fs.readFileSync(path.join(home, 'cluster.json'), 'utf8')) as { port: number };
      assert.equal((await ok(node, ['client.js', `127.0.0.1:${state.port}`], { env, cwd: app })).trim(), `t${version}`);
    } finally {
      await run(bin('eddy'), ['cluster', 'stop'], { env, cwd: app });
    }

    await ok(bin('smdk'), ['generate', `sm${version}`, '--sm-type', 'filter'], { env, cwd: app });
    const project = path.join(app, `sm${version}`);
    assert.match(await ok(bin('smdk'), ['build'], { env, cwd: project }), /Built/);
    assert.ok(fs.statSync(path.join(project, 'build', `sm${version}.wasm`)).size > 0);
  });
}

test('npm install -g of the tarballs gives working commands', async () => {
  const prefix = path.join(work, 'global');
  await ok('npm', ['install', '-g', '--prefix', prefix, '--prefer-offline', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error', ...tarballFiles], { env: npmEnv(), timeoutMs: 300_000 });
  const env = userEnv(process.execPath, path.join(work, 'home-global'));
  env.PATH = `${path.join(prefix, 'bin')}${path.delimiter}${env.PATH}`;
  // Global packages are not hoisted: each resolves only its own dependencies and its siblings.
  assert.equal((await ok('eddy', ['--version'], { env })).trim(), '0.1.0');
  await ok('smdk', ['generate', 'gsm', '--sm-type', 'map'], { env, cwd: work });
  assert.match(await ok('smdk', ['build'], { env, cwd: path.join(work, 'gsm') }), /Built/);
});

test('an older Node gets one line saying what to do', async () => {
  const env = userEnv(oldNode, path.join(work, 'home-old'));
  assert.ok(Number((await ok(oldNode, ['-p', 'process.versions.node'], { env })).split('.')[0]) < 22);
  for (const name of ['eddy', 'smdk', 'file-source']) {
    const r = await run(bin(name), ['--version'], { env, cwd: app });
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, new RegExp(`^${name}: needs Node\\.js 22 or newer \\(this is v\\d+[^)]*\\); install a current LTS from https://nodejs\\.org\\n$`));
  }
});
