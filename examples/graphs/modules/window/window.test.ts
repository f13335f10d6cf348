import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatNanosIso, type Hlc } from '@eddy/dataflow';
import { batchOf, openOperator, refusal, timestamps } from '../../harness.ts';

const MS = 1_000_000n;
/** Times written in ms; the HLC's physical time is ns. */
const inMs = (ts: Hlc[]) => ts.map((t) => ({ ...t, physical: Number(t.physical / MS) }));

const at = (physical: number, counter = 0) => ({ payload: '{"humidity":{"value":1}}', timestamp: { physical: BigInt(physical) * MS, counter, node: 7 } });

test('window: a timestamp on a 10-second boundary stays, any other moves up to the next one (Azure\'s rule)', async () => {
  const { op } = await openOperator('window', 'delay');
  assert.equal(refusal(op), null);
  const out = timestamps(op.delay(batchOf([
    at(1_735_689_600_000), at(1_735_689_600_001, 5), at(1_735_689_609_999), at(1_735_689_610_000), at(3), at(0), at(10_000, 2),
  ])));
  assert.deepEqual(inMs(out), [
    { physical: 1_735_689_600_000, counter: 0, node: 7 }, // on the boundary: window (…590, …600]
    { physical: 1_735_689_610_000, counter: 0, node: 7 },
    { physical: 1_735_689_610_000, counter: 0, node: 7 },
    { physical: 1_735_689_610_000, counter: 0, node: 7 }, // still window (…600, …610]
    { physical: 10_000, counter: 0, node: 7 },
    { physical: 0, counter: 0, node: 7 },
    { physical: 10_000, counter: 2, node: 7 }, // left in place: never moved back in time
  ]);
});

test('window: 22:10:00.000 and 22:10:05.000 fall in two windows, ending at :00 and :10', async () => {
  const { op } = await openOperator('window', 'delay');
  op.init({});
  const t0 = Date.parse('2025-06-01T22:10:00.000Z');
  const t5 = Date.parse('2025-06-01T22:10:05.000Z');
  const [a, b] = timestamps(op.delay(batchOf([at(t0), at(t5)])));
  assert.equal(formatNanosIso(a.physical), '2025-06-01T22:10:00.000000000Z');
  assert.equal(formatNanosIso(b.physical), '2025-06-01T22:10:10.000000000Z');
});
