import { test } from 'node:test';
import assert from 'node:assert/strict';
import { batchOf, openOperator, props, refusal, text } from '../../harness.ts';

test('enrichment adds the state store values of "factory" and "line" (missing ones as null)', async () => {
  const { op, host } = await openOperator('enrichment', 'map');
  host.seed('factory', 'Berlin-2');
  assert.equal(refusal(op), null);
  const out = op.map(batchOf([{ payload: '{"count":2,"messages":[]}', properties: { a: 'b' } }, { payload: '[1,2]' }, { payload: 'text' }])).decodeAll();
  assert.deepEqual(JSON.parse(text(out[0])), { count: 2, messages: [], enrichment: { factory: 'Berlin-2', line: null } });
  assert.deepEqual(props(out[0]), [['a', 'b']]);
  assert.equal(text(out[1]), '[1,2]');
  assert.equal(text(out[2]), 'text');
  // the store is read per message, so a later seed shows up
  host.seed('line', 'L7');
  assert.deepEqual(JSON.parse(text(op.map(batchOf([{ payload: '{}' }])).decode(0))), { enrichment: { factory: 'Berlin-2', line: 'L7' } });
});

test('enrichment reads the keys named by the "keys" parameter; an empty list is refused', async () => {
  const { op, host } = await openOperator('enrichment', 'map');
  host.seed('site', 'Munich').seed('owner', 'ops "team"');
  assert.equal(refusal(op, { keys: ' site, owner ,,shift' }), null);
  assert.deepEqual(JSON.parse(text(op.map(batchOf([{ payload: '{"v":1}' }])).decode(0))), { v: 1, enrichment: { site: 'Munich', owner: 'ops "team"', shift: null } });
  const bad = await openOperator('enrichment', 'map');
  assert.equal(refusal(bad.op, { keys: ' , ' }), 'keys names no state store key: " , "');
});

test('enrichment reads values larger than the first state_get buffer', async () => {
  const { op, host } = await openOperator('enrichment', 'map');
  const big = 'x'.repeat(5000);
  host.seed('factory', big);
  assert.equal(JSON.parse(text(op.map(batchOf([{ payload: '{}' }])).decode(0))).enrichment.factory, big);
});
