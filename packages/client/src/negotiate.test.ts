import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Apis, ApiKey, ListTopicsRequest, ListTopicsResponse } from '@eddy/protocol';
import { defineApi } from '@eddy/protocol/internal';
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

// A test-only table: one API this client speaks at v0 and v1, one at v0 only.
const V0 = { request: ListTopicsRequest, response: ListTopicsResponse };
const testApis = {
  Lookup: defineApi(900, { 0: V0, 1: V0 }),
  Plain: defineApi(901, { 0: V0 }),
};

test('against a table with v1, the highest version both sides speak is picked', () => {
  const pick = (min: number, max: number) => negotiateVersions([{ apiKey: 900, minVersion: min, maxVersion: max }, { apiKey: 901, minVersion: 0, maxVersion: 0 }], 'h:1', '1', testApis);
  assert.deepEqual(pick(0, 0).get(900), { version: 0 }); // an older broker: the client falls back to v0
  assert.deepEqual(pick(0, 1).get(900), { version: 1 });
  assert.deepEqual(pick(1, 5).get(900), { version: 1 }); // a newer broker that retired v0
  assert.deepEqual(pick(2, 5).get(900), { missing: 'broker at h:1 speaks Lookup versions 2-5, this client 0-1' });
  assert.deepEqual(pick(0, 1).get(901), { version: 0 });
});

test('any offered range: the maximum common version, or missing exactly when the ranges do not meet', () => {
  const v = fc.integer({ min: 0, max: 10 });
  fc.assert(fc.property(v, v, v, v, (a, b, c, d) => {
    const [cmin, cmax] = a <= b ? [a, b] : [b, a];
    const [bmin, bmax] = c <= d ? [c, d] : [d, c];
    const client = { X: defineApi(900, Object.fromEntries(Array.from({ length: cmax - cmin + 1 }, (_, i) => [cmin + i, V0]))) };
    const got = negotiateVersions([{ apiKey: 900, minVersion: bmin, maxVersion: bmax }], 'h:1', '1', client).get(900);
    const common = [];
    for (let x = Math.max(cmin, bmin); x <= Math.min(cmax, bmax); x++) common.push(x);
    if (common.length === 0) assert.ok(got !== undefined && 'missing' in got);
    else assert.deepEqual(got, { version: Math.max(...common) });
  }));
});
