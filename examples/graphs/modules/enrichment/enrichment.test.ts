import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GraphInstance } from '../../harness.ts';

test('enrichment adds the state store values of "factory" and "line" (missing ones as null)', async () => {
  const g = await GraphInstance.open('enrichment');
  g.setState('factory', 'Berlin-2');
  assert.equal(g.init(), null);
  const out = g.map([{ payload: '{"count":2,"messages":[]}', properties: { a: 'b' } }, { payload: '[1,2]' }, { payload: 'text' }]);
  assert.deepEqual(JSON.parse(out[0].text), { count: 2, messages: [], enrichment: { factory: 'Berlin-2', line: null } });
  assert.deepEqual(out[0].properties, [['a', 'b']]);
  assert.equal(out[1].text, '[1,2]');
  assert.equal(out[2].text, 'text');
  // the store is read per message, so a later seed shows up
  g.setState('line', 'L7');
  assert.deepEqual(JSON.parse(g.map([{ payload: '{}' }])[0].text), { enrichment: { factory: 'Berlin-2', line: 'L7' } });
});

test('enrichment reads the keys named by the "keys" parameter; an empty list is refused', async () => {
  const g = await GraphInstance.open('enrichment');
  g.setState('site', 'Munich').setState('owner', 'ops "team"');
  assert.equal(g.init({ keys: ' site, owner ,,shift' }), null);
  assert.deepEqual(JSON.parse(g.map([{ payload: '{"v":1}' }])[0].text), { v: 1, enrichment: { site: 'Munich', owner: 'ops "team"', shift: null } });
  const bad = await GraphInstance.open('enrichment');
  assert.equal(bad.init({ keys: ' , ' }), 'keys names no state store key: " , "');
});

test('enrichment reads values larger than the first state_get buffer', async () => {
  const g = await GraphInstance.open('enrichment');
  const big = 'x'.repeat(5000);
  g.setState('factory', big);
  assert.equal(JSON.parse(g.map([{ payload: '{}' }])[0].text).enrichment.factory, big);
});
