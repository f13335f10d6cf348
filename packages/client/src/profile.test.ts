import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import YAML from 'yaml';
import {
  ProfileError, addProfile, configPath, currentProfile, deleteProfile, eddyHome, listProfiles,
  loadConfig, parseConfig, resolveEndpoint, saveConfig, switchProfile,
} from './profile.ts';

function withHome(fn: (home: string) => void): void {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'eddy-profile-'));
  try { fn(home); } finally { fs.rmSync(home, { recursive: true, force: true }); }
}

test('EDDY_HOME overrides ~/.eddy', () => {
  assert.equal(eddyHome({ EDDY_HOME: '/x/y' }), '/x/y');
  assert.equal(eddyHome({}), path.join(os.homedir(), '.eddy'));
});

test('profiles round trip through $EDDY_HOME/config.yaml', () => {
  withHome((home) => {
    assert.deepEqual(listProfiles(home), []);
    assert.equal(currentProfile(home), null);
    assert.equal(resolveEndpoint({ home }), '127.0.0.1:9003');

    addProfile('local', 'localhost:9003', { home });
    assert.deepEqual(currentProfile(home), { name: 'local', endpoint: 'localhost:9003' }, 'the first profile becomes current');
    addProfile('prod', 'eddy.example.com', { home });
    assert.equal(currentProfile(home)!.name, 'local', 'adding does not switch');
    assert.deepEqual(listProfiles(home), [
      { name: 'local', endpoint: 'localhost:9003', current: true },
      { name: 'prod', endpoint: 'eddy.example.com:9003', current: false },
    ]);

    switchProfile('prod', home);
    assert.equal(resolveEndpoint({ home }), 'eddy.example.com:9003');
    assert.equal(resolveEndpoint({ home, profile: 'local' }), 'localhost:9003');
    assert.equal(resolveEndpoint({ home, endpoint: '10.0.0.1:1', profile: 'local' }), '10.0.0.1:1');

    const onDisk = YAML.parse(fs.readFileSync(configPath(home), 'utf8'));
    assert.deepEqual(onDisk, { current: 'prod', profiles: { local: { endpoint: 'localhost:9003' }, prod: { endpoint: 'eddy.example.com:9003' } } });

    deleteProfile('prod', home);
    assert.equal(currentProfile(home), null);
    assert.equal(resolveEndpoint({ home }), '127.0.0.1:9003');
    addProfile('other', '[::1]:7', { home, makeCurrent: true });
    assert.equal(currentProfile(home)!.endpoint, '[::1]:7');
  });
});

test('unknown profiles and bad input give clear one-line errors', () => {
  withHome((home) => {
    addProfile('a', '1.2.3.4:5', { home });
    const oneLine = (re: RegExp) => (e: unknown) => e instanceof ProfileError && re.test(e.message) && !e.message.includes('\n');
    assert.throws(() => switchProfile('nope', home), oneLine(/unknown profile 'nope' \(known: a\)/));
    assert.throws(() => deleteProfile('nope', home), oneLine(/unknown profile 'nope'/));
    assert.throws(() => resolveEndpoint({ home, profile: 'nope' }), oneLine(/unknown profile 'nope'/));
    assert.throws(() => addProfile('bad name', 'h:1', { home }), oneLine(/invalid profile name 'bad name'/));
    assert.throws(() => addProfile('ok', 'h:99999', { home }), oneLine(/port 99999/));
    fs.writeFileSync(configPath(home), 'current: [\n');
    assert.throws(() => loadConfig(home), oneLine(/not valid YAML/));
    fs.writeFileSync(configPath(home), 'current: x\nprofiles: {}\n');
    assert.throws(() => currentProfile(home), oneLine(/current profile 'x' is not defined/));
  });
});

test('keys the file holds besides profiles survive changes', () => {
  withHome((home) => {
    fs.writeFileSync(configPath(home), 'cluster:\n  dataDir: /data\nprofiles: {}\n');
    addProfile('a', 'h:1', { home });
    assert.deepEqual(YAML.parse(fs.readFileSync(configPath(home), 'utf8')).cluster, { dataDir: '/data' });
  });
});

test('property: any config saved is loaded back equal; parseConfig only throws ProfileError', () => {
  const name = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,20}$/);
  const endpoint = fc.tuple(fc.domain(), fc.integer({ min: 1, max: 65535 })).map(([h, p]) => `${h}:${p}`);
  withHome((home) => {
    fc.assert(fc.property(fc.dictionary(name, endpoint, { maxKeys: 6 }), fc.boolean(), (entries, pick) => {
      const names = Object.keys(entries);
      const cfg = {
        current: pick && names.length > 0 ? names[0] : null,
        profiles: Object.fromEntries(names.map((n) => [n, { endpoint: entries[n] }])),
      };
      saveConfig(cfg, home);
      assert.deepEqual(loadConfig(home), cfg);
    }), { numRuns: 50 });
  });
  fc.assert(fc.property(fc.string({ maxLength: 60 }), (text) => {
    try { parseConfig(text); } catch (e) { assert.ok(e instanceof ProfileError, String(e)); }
  }));
});
