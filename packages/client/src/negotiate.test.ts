import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Apis, ApiKey } from '@eddy/protocol';
import { negotiateVersions } from './negotiate.ts';

const all = Object.values(Apis).map((a) => ({ apiKey: a.key, minVersion: a.minVersion, maxVersion: a.maxVersion }));

test('every API the broker offers in range is agreed at the highest common version', () => {
  const m = negotiateVersions(all.map((a) => ({ ...a, maxVersion: a.maxVersion + 3 })), 'h:1', '9.9');
  for (const a of Object.values(Apis)) assert.deepEqual(m.get(a.key), { version: a.maxVersion });
});

test('a missing API or a disjoint version range gets a one-line reason naming API and broker', () => {
  const offered = all.filter((a) => a.apiKey !== ApiKey.ListSmartModules).map((a) =>
    a.apiKey === ApiKey.Produce ? { ...a, minVersion: 5, maxVersion: 7 } : a);
  const m = negotiateVersions(offered, 'h:1', '0.0.9');
  assert.deepEqual(m.get(ApiKey.ListSmartModules), { missing: 'broker at h:1 (version 0.0.9) does not support the ListSmartModules API' });
  assert.deepEqual(m.get(ApiKey.Produce), { missing: 'broker at h:1 speaks Produce versions 5-7, this client 0-0' });
  assert.deepEqual(m.get(ApiKey.StreamFetch), { version: 0 });
});
