// The Hub walkthrough against a real docker-registry and Eddy's token service: smdk generate →
// build → publish; `eddy hub smartmodule list` shows it; a second user downloads (installs) it;
// `eddy consume --smartmodule group/name@version` filters a live topic with it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, startLocalHub, type LocalHub } from '@eddy/hub';
import { lines, runNode, runSmdk, REPO_ROOT } from './run_smdk.ts';

const EDDY_BIN = path.join(REPO_ROOT, 'packages', 'cli', 'bin', 'eddy.ts');

let tmp: string;
let hub: LocalHub;
let alice: NodeJS.ProcessEnv;
let bob: NodeJS.ProcessEnv;
let started = false;
let endpoint = '';

const eddy = (env: NodeJS.ProcessEnv, args: string[], opts: { input?: string } = {}) => runNode([EDDY_BIN, ...args], { ...opts, env });

before(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'smdk-publish-'));
  hub = await startLocalHub({ dir: path.join(tmp, 'hub') });
  alice = { EDDY_HOME: path.join(tmp, 'alice'), EDDY_HUB: hub.registryUrl };
  bob = { EDDY_HOME: path.join(tmp, 'bob'), EDDY_HUB: hub.registryUrl };
  const r = await eddy(alice, ['cluster', 'start', '--port', '0', '--metrics-port', '0']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  started = true;
  endpoint = /started \(pid \d+\) at (\S+)/.exec(r.stdout)?.[1] ?? '';
  assert.ok(endpoint, r.stdout);
});

after(async () => {
  if (started) await eddy(alice, ['cluster', 'stop']);
  await hub?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

test('generate, build, publish, list, download by another user, consume --smartmodule group/name@version', async () => {
  const gen = await runSmdk(['generate', 'fruit-filter', '--sm-type', 'filter', '--project-group', 'acme'], { cwd: tmp, env: alice });
  assert.equal(gen.code, 0, gen.stderr);
  const dir = path.join(tmp, 'fruit-filter');
  const build = await runSmdk(['build'], { cwd: dir, env: alice });
  assert.equal(build.code, 0, build.stderr);

  // Publishing needs a login first.
  const early = await runSmdk(['publish'], { cwd: dir, env: alice });
  assert.deepEqual([early.code, lines(early.stderr)], [1, [`error: no Hub key at ${path.join(tmp, 'alice', 'hub', 'key.pem')}: run 'eddy hub login' first`]]);
  for (const [env, owner] of [[alice, 'alice'], [bob, 'bob']] as const) {
    const login = await eddy(env, ['hub', 'login', '--owner', owner]);
    assert.equal(login.code, 0, login.stderr);
    assert.match(login.stdout, new RegExp(`^logged in to ${hub.registryUrl} as ${owner}`));
  }

  // A public package asks first; without a terminal, --public-yes answers.
  const toml = path.join(dir, 'SmartModule.toml');
  fs.writeFileSync(toml, fs.readFileSync(toml, 'utf8').replace(/visibility = "private"/, 'visibility = "public"'));
  const asks = await runSmdk(['publish'], { cwd: dir, env: alice });
  assert.deepEqual([asks.code, lines(asks.stderr)], [1, ['error: acme/fruit-filter@0.1.0 is public: anyone will be able to download it; confirm with --public-yes']]);
  const pack = await runSmdk(['publish', '--pack'], { cwd: dir, env: alice });
  assert.equal(pack.code, 0, pack.stderr);
  assert.deepEqual(fs.readdirSync(path.join(dir, '.hub', 'fruit-filter-0.1.0')).sort(), ['SmartModule.toml', 'fruit-filter.wasm', 'package-meta.yaml', 'signature.0']);
  const push = await runSmdk(['publish', '--push', '--public-yes'], { cwd: dir, env: alice });
  assert.equal(push.code, 0, push.stderr);
  assert.match(push.stdout, /^published acme\/fruit-filter@0\.1\.0 \(public\) to http:\/\/127\.0\.0\.1:\d+ as sha256:[0-9a-f]{64}\n$/);

  for (const env of [alice, bob, { EDDY_HOME: path.join(tmp, 'anon'), EDDY_HUB: hub.registryUrl }]) {
    const list = await eddy(env, ['hub', 'smartmodule', 'list', '-O', 'json']);
    assert.equal(list.code, 0, list.stderr);
    assert.deepEqual((JSON.parse(list.stdout) as { group: string; name: string; version: string }[]).map((p) => `${p.group}/${p.name}@${p.version}`), ['acme/fruit-filter@0.1.0']);
  }

  // Bob installs it into the cluster under its name, and it filters by that name.
  const install = await eddy(bob, ['--endpoint', endpoint, 'hub', 'smartmodule', 'download', 'acme/fruit-filter@0.1.0']);
  assert.equal(install.code, 0, install.stderr);
  assert.match(install.stdout, /^installed acme\/fruit-filter@0\.1\.0 as "fruit-filter" \(version 0\.1\.0, /);
  const file = path.join(tmp, 'ff.wasm');
  const saved = await eddy(bob, ['hub', 'smartmodule', 'download', 'acme/fruit-filter@0.1.0', '-o', file]);
  assert.equal(saved.code, 0, saved.stderr);
  assert.deepEqual(fs.readFileSync(file), fs.readFileSync(path.join(dir, 'build', 'fruit-filter.wasm')));

  assert.equal((await eddy(alice, ['topic', 'create', 'fruits'])).code, 0);
  assert.equal((await eddy(alice, ['produce', 'fruits'], { input: 'apple\nkiwi\ngrape\nbanana\nfig\n' })).code, 0);
  const byName = await eddy(bob, ['--endpoint', endpoint, 'consume', 'fruits', '-B', '-d', '--smartmodule', 'fruit-filter']);
  assert.deepEqual([byName.code, lines(byName.stdout)], [0, ['apple', 'grape', 'banana']], byName.stderr);
  const byPackage = await eddy(bob, ['--endpoint', endpoint, 'consume', 'fruits', '-B', '-d', '--smartmodule', 'acme/fruit-filter@0.1.0']);
  assert.deepEqual([byPackage.code, lines(byPackage.stdout)], [0, ['apple', 'grape', 'banana']], byPackage.stderr);

  // Bad input: one line each.
  const bad = await eddy(bob, ['--endpoint', endpoint, 'consume', 'fruits', '-B', '-d', '--smartmodule', 'acme/fruit-filter@one']);
  assert.deepEqual([bad.code, lines(bad.stderr)], [1, ["error: 'acme/fruit-filter@one' is not a package name: version 'one' is not a semantic version like 1.0.0"]]);
  const badName = await eddy(bob, ['hub', 'smartmodule', 'download', 'fruit-filter']);
  assert.deepEqual([badName.code, lines(badName.stderr)], [1, ["error: 'fruit-filter' is not a package name: expected group/name@version, e.g. acme/filter@0.1.0"]]);
  const nothing = `http://127.0.0.1:${await freePort()}`;
  const down = await eddy({ ...bob, EDDY_HUB: nothing }, ['hub', 'smartmodule', 'download', 'acme/other@1.0.0']);
  assert.equal(down.code, 1);
  assert.deepEqual(lines(down.stderr), [`error: cannot reach the hub registry at ${nothing} (ECONNREFUSED; is it running? for a local hub: 'eddy hub start')`]);

  // Bob may not push into alice's group.
  const bobDir = path.join(tmp, 'bob-proj');
  fs.cpSync(dir, bobDir, { recursive: true });
  const bobToml = path.join(bobDir, 'SmartModule.toml');
  fs.writeFileSync(bobToml, fs.readFileSync(bobToml, 'utf8').replace(/version = "0\.1\.0"/, 'version = "0.2.0"'));
  const theft = await runSmdk(['publish', '--public-yes'], { cwd: bobDir, env: bob });
  assert.equal(theft.code, 1);
  assert.match(lines(theft.stderr).at(-1)!, /^error: not allowed to .* acme\/fruit-filter/);
});
