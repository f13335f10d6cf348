// The hub group of a generated project: the `eddy hub login` owner when there is one, and a
// one-line error at publish time that says how to set it when nothing names a group.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { lines, runSmdk } from './run_smdk.ts';
import { chooseGroup, npmScope } from '../src/hub_group.ts';
import { readManifest } from '../src/manifest.ts';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'smdk-group-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

test('generate records the hub login owner as the group and says so', async () => {
  const home = path.join(tmp, 'alice');
  fs.mkdirSync(path.join(home, 'hub'), { recursive: true });
  fs.writeFileSync(path.join(home, 'hub', 'config.json'), JSON.stringify({ owner: 'alice', registry: 'http://127.0.0.1:1' }));
  const gen = await runSmdk(['generate', 'owned', '--sm-type', 'filter', '--destination', tmp], { env: { EDDY_HOME: home } });
  assert.equal(gen.code, 0, gen.stderr);
  assert.equal(readManifest(path.join(tmp, 'owned')).package.group, 'alice');
  assert.match(gen.stdout, /^Hub group: alice /m);
  assert.match(fs.readFileSync(path.join(tmp, 'owned', 'README.md'), 'utf8'), /as `alice\/owned@VERSION`/);
  // --project-group still wins.
  const named = await runSmdk(['generate', 'named', '--sm-type', 'filter', '--project-group', 'acme', '--destination', tmp], { env: { EDDY_HOME: home } });
  assert.equal(named.code, 0, named.stderr);
  assert.equal(readManifest(path.join(tmp, 'named')).package.group, 'acme');
});

test('without a login or scope: generate hints, and publish fails with one line saying how to set the group', async () => {
  const env = { EDDY_HOME: path.join(tmp, 'nobody') };
  const gen = await runSmdk(['generate', 'orphan', '--sm-type', 'filter', '--destination', tmp], { env });
  assert.equal(gen.code, 0, gen.stderr);
  const dir = path.join(tmp, 'orphan');
  assert.equal(readManifest(dir).package.group, '');
  assert.match(gen.stdout, /publish': set package\.group in SmartModule\.toml .*eddy hub login --owner NAME/);
  assert.match(fs.readFileSync(path.join(dir, 'README.md'), 'utf8'), /`package\.group` in SmartModule\.toml is empty: set it, or run `eddy hub login --owner NAME`/);
  const pub = await runSmdk(['publish', '--pack'], { cwd: dir, env });
  assert.deepEqual([pub.code, lines(pub.stderr)], [1, [
    "error: SmartModule.toml has no package.group and you are not logged in to a hub: set package.group in SmartModule.toml (the hub group to publish under), or run 'eddy hub login --owner NAME' to publish under your hub owner",
  ]]);
});

test('the group: the manifest, then the hub owner, then the npm scope', () => {
  assert.equal(chooseGroup('acme', 'alice', 'scope'), 'acme');
  assert.equal(chooseGroup('', 'alice', 'scope'), 'alice');
  assert.equal(chooseGroup('', undefined, 'scope'), 'scope');
  assert.equal(chooseGroup('', undefined, undefined), null);
  const dir = fs.mkdtempSync(path.join(tmp, 'scope-'));
  assert.equal(npmScope(dir), undefined);
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: '@acme/filter' }));
  assert.equal(npmScope(dir), 'acme');
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'filter' }));
  assert.equal(npmScope(dir), undefined);
});
