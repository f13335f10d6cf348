// The README walkthrough against a real local cluster: generate, build, test, load, then
// `eddy consume --smartmodule` shows the filtered records.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { lines, runNode, runSmdk, REPO_ROOT } from './run_smdk.ts';

const EDDY_BIN = path.join(REPO_ROOT, 'packages', 'cli', 'bin', 'eddy.ts');

let tmp: string;
let env: NodeJS.ProcessEnv;
let started = false;
let endpoint = '';

const eddy = (args: string[], opts: { input?: string; cwd?: string } = {}) => runNode([EDDY_BIN, ...args], { ...opts, env });

before(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'smdk-walkthrough-'));
  // A private Eddy home: its own profile file, pid file and data.
  env = { EDDY_HOME: path.join(tmp, 'home') };
  const r = await eddy(['cluster', 'start', '--port', '0', '--metrics-port', '0']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  started = true;
  endpoint = /started \(pid \d+\) at (\S+)/.exec(r.stdout)?.[1] ?? '';
  assert.ok(endpoint, r.stdout);
});

after(async () => {
  if (started) {
    const r = await eddy(['cluster', 'stop']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
  }
  fs.rmSync(tmp, { recursive: true, force: true });
});

test('generate, build, test, load, consume --smartmodule', async () => {
  const gen = await runSmdk(['generate', 'my-filter', '--sm-type', 'filter'], { cwd: tmp, env });
  assert.equal(gen.code, 0, gen.stderr);
  const dir = path.join(tmp, 'my-filter');

  const build = await runSmdk(['build'], { cwd: dir, env });
  assert.equal(build.code, 0, build.stderr);

  const kept = await runSmdk(['test', '--text', 'apple'], { cwd: dir, env });
  assert.deepEqual([kept.code, lines(kept.stdout)], [0, ['apple']]);
  const dropped = await runSmdk(['test', '--text', 'kiwi'], { cwd: dir, env });
  assert.deepEqual([dropped.code, lines(dropped.stdout)], [0, []]);

  // load goes to the current profile, which `eddy cluster start` set to the local cluster
  const load = await runSmdk(['load'], { cwd: dir, env });
  assert.equal(load.code, 0, load.stderr);
  assert.match(load.stdout, /SmartModule "my-filter" loaded/);
  const list = await eddy(['smartmodule', 'list', '-O', 'json']);
  assert.equal(list.code, 0, list.stderr);
  const mods = JSON.parse(list.stdout) as Array<{ name: string; spec: { sizeBytes: number } }>;
  const wasmSize = fs.statSync(path.join(dir, 'build', 'my-filter.wasm')).size;
  assert.deepEqual(mods.map((m) => [m.name, m.spec.sizeBytes]), [['my-filter', wasmSize]]);

  // loading the same name again is refused by the cluster (as in Fluvio), in one line
  const again = await runSmdk(['load'], { cwd: dir, env });
  assert.equal(again.code, 1);
  assert.equal(lines(again.stderr).length, 1, again.stderr);
  assert.match(again.stderr, /^error: SmartModule 'my-filter' is already loaded; to replace it, run '(npx )?smdk load --replace'\n$/);
  const replaced = await runSmdk(['load', '--replace'], { cwd: dir, env });
  assert.equal(replaced.code, 0, replaced.stderr);

  const topic = await eddy(['topic', 'create', 'fruits']);
  assert.equal(topic.code, 0, topic.stderr);
  const produce = await eddy(['produce', 'fruits'], { input: 'apple\nkiwi\ngrape\nbanana\nfig\n' });
  assert.equal(produce.code, 0, produce.stderr);

  // the broker runs the loaded module by name for a consumer
  const { Eddy, Offset } = await import('@eddy/client');
  const client = await Eddy.connect({ endpoint });
  try {
    const values: string[] = [];
    const stream = client.consumer('fruits').stream(Offset.beginning(), { smartmodules: [{ name: 'my-filter' }], stopAtEnd: true });
    for await (const r of stream) values.push(r.value.toString());
    assert.deepEqual(values, ['apple', 'grape', 'banana']);
  } finally {
    await client.close();
  }

  // and `eddy consume --smartmodule`, as the README shows
  const consume = await eddy(['consume', 'fruits', '-B', '-d', '--smartmodule', 'my-filter']);
  assert.equal(consume.code, 0, consume.stderr);
  assert.deepEqual(lines(consume.stdout), ['apple', 'grape', 'banana']);
});
