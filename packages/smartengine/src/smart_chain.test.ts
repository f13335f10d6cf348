// SmartChain.processBatches: whole record batches in, finished output batches out, one round trip.
// Input batches are built and output batches checked with @eddy/protocol's own codec.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeRecords } from '@eddy/protocol';
import { BatchLayout, encodeBatchFromSection, batchTotalSize } from '@eddy/protocol/internal';
import { SmartEngine, SmartModuleRuntimeError, SmartModuleTimeoutError, SmartModuleTrapError } from './mod.ts';
import { encodeRecords, type TestRecord } from '../test/records.ts';
import * as wat from '../test/wat_modules.ts';
import { batchesOf } from '../test/output_batches.ts';

const vals = (...v: string[]): TestRecord[] => v.map((value) => ({ value }));

/** A stored batch of `records` at `baseOffset`, first timestamp `ts`, with producer fields to carry over. */
function stored(records: TestRecord[], baseOffset: number, ts = 1_700_000_000_000): Buffer {
  const section = encodeRecords(records);
  return encodeBatchFromSection(section, records.length, { baseOffset, firstTimestamp: ts, producerId: 77, producerEpoch: 3, firstSequence: 9, partitionLeaderEpoch: 5 });
}

describe('processBatches', () => {
  const engine = new SmartEngine({ workers: 1, timeBudgetMs: 300, logger: () => {} });
  after(() => engine.close());

  test('a filter keeps matching records in their batches, with stored offsets; emptied batches are dropped', async () => {
    const chain = await engine.chain([{ name: 'has-a', wasm: wat.FILTER_A }]);
    const input = Buffer.concat([stored(vals('apple', 'fig', 'banana'), 100), stored(vals('kiwi', 'plum'), 103), stored(vals('pear', 'date'), 105)]);
    const r = await chain.processBatches(input);
    assert.equal(r.error, undefined);
    assert.equal(r.count, 4);
    assert.deepEqual(batchesOf(r), [
      [100, [100, 102], ['apple', 'banana']],
      [105, [105, 106], ['pear', 'date']],
    ]);
    const first = batchTotalSize(r.batches, 0);
    assert.deepEqual([...r.ends], [first, first, r.batches.length]);
    // header fields carried over; span kept; compression none; max timestamp from the kept records
    assert.equal(r.batches.readBigInt64BE(BatchLayout.producerId), 77n);
    assert.equal(r.batches.readInt16BE(BatchLayout.producerEpoch), 3);
    assert.equal(r.batches.readInt32BE(BatchLayout.firstSequence), 9);
    assert.equal(r.batches.readInt32BE(BatchLayout.partitionLeaderEpoch), 5);
    assert.equal(r.batches.readInt32BE(BatchLayout.lastOffsetDelta), 2);
    assert.equal(r.batches.readInt16BE(BatchLayout.attributes) & 7, 0);
    assert.equal(r.batches.readBigInt64BE(BatchLayout.firstTimestamp), 1_700_000_000_000n);
    await chain.close();
  });

  test('pieces that concatenate to batches are accepted (a header and its decompressed section)', async () => {
    const chain = await engine.chain([{ name: 'upper', wasm: wat.MAP_UPPER }]);
    const a = stored(vals('x', 'y'), 0);
    const b = stored(vals('z'), 2);
    const r = await chain.processBatches([a.subarray(0, 57), a.subarray(57), b]);
    assert.deepEqual(batchesOf(r), [[0, [0, 1], ['X', 'Y']], [2, [2], ['Z']]]);
  });

  test('output larger than the input (map) and many batches in one call', async () => {
    const chain = await engine.chain([{ name: 'meta', wasm: wat.MAP_META }]);
    const input = Buffer.concat(Array.from({ length: 300 }, (_, i) => stored(vals('v', 'w'), i * 2, 1000 + i)));
    const r = await chain.processBatches(input);
    assert.equal(r.count, 600);
    assert.ok(r.batches.length > input.length);
    const got = batchesOf(r);
    assert.equal(got.length, 300);
    assert.deepEqual(got[299].slice(0, 2), [598, [598, 599]]);
    // MAP_META writes base_offset and base_timestamp it was given: each batch's own
    const v = decodeRecords(r.batches, r.ends[298]).map((x) => x.value);
    assert.equal(v[0].readBigInt64BE(0), 598n);
    assert.equal(v[0].readBigInt64BE(8), 1299n);
  });

  test('calls run in order with aggregate state carried across batches and calls', async () => {
    const chain = await engine.chain([{ name: 'concat', wasm: wat.AGGREGATE_CONCAT }]);
    const results = await Promise.all([
      chain.processBatches(Buffer.concat([stored(vals('1'), 0), stored(vals('2'), 1)])),
      chain.processBatches(stored(vals('3'), 2)),
      chain.processBatches(stored(vals('4'), 3)),
    ]);
    assert.deepEqual(results.map((r) => batchesOf(r).map((b) => b[2][0])), [['1', '12'], ['123'], ['1234']]);
    assert.deepEqual(values(await chain.process({ baseOffset: 4, records: encodeRecords(vals('5')) })), ['12345']);
  });

  test('a record error stops after its batch: records before it are kept, later batches are not run', async () => {
    const chain = await engine.chain([{ name: 'has-a', wasm: wat.FILTER_A }]);
    const input = Buffer.concat([stored(vals('ant'), 10), stored(vals('bat', '!boom', 'cat'), 11), stored(vals('gnat'), 14)]);
    const r = await chain.processBatches(input);
    assert.ok(r.error instanceof SmartModuleRuntimeError);
    assert.equal(r.error.offset, 12);
    assert.equal(r.ends.length, 2);
    assert.deepEqual(batchesOf(r), [[10, [10], ['ant']], [11, [11], ['bat']]]);
    // the chain goes on
    assert.deepEqual(batchesOf(await chain.processBatches(stored(vals('again'), 20))), [[20, [20], ['again']]]);
  });

  test('malformed input is refused before it reaches the sandbox; empty input needs no round trip', async () => {
    const chain = await engine.chain([{ name: 'has-a', wasm: wat.FILTER_A }]);
    const good = stored(vals('a'), 0);
    await assert.rejects(chain.processBatches(good.subarray(0, good.length - 1)), (err) => {
      assert.ok(err instanceof RangeError);
      assert.match(err.message, /^batch 0 at byte 0: batch_len \d+ does not fit the \d+-byte input$/);
      return true;
    });
    await assert.rejects(chain.processBatches(Buffer.concat([good, Buffer.alloc(10)])), /batch 1 at byte \d+: 10 bytes left/);
    await assert.rejects(chain.processBatches(['nope' as unknown as Uint8Array]), TypeError);
    const empty = await chain.processBatches(Buffer.alloc(0));
    assert.deepEqual([empty.batches.length, empty.count, empty.ends.length], [0, 0, 0]);
    assert.deepEqual(batchesOf(await chain.processBatches(good)), [[0, [0], ['a']]]);
  });

  test('output memory is lent: reused after release(), never while a result is held; a bigger output spills', async () => {
    const chain = await engine.chain([{ name: 'has-a', wasm: wat.FILTER_A }]);
    const input = stored(vals('apple', 'fig'), 0);
    const a = await chain.processBatches(input);
    const b = await chain.processBatches(input);
    assert.notEqual(b.batches.buffer, a.batches.buffer, 'a held result keeps its memory');
    const aBytes = Buffer.from(a.batches);
    a.release();
    a.release(); // idempotent
    const c = await chain.processBatches(stored(vals('avocado'), 2));
    assert.equal(c.batches.buffer, a.batches.buffer, 'released memory is reused');
    assert.notDeepEqual(Buffer.from(a.batches), aBytes, 'so a released result must not be read any more');
    assert.deepEqual(batchesOf(b), [[0, [0], ['apple']]]);
    assert.deepEqual(batchesOf(c), [[2, [2], ['avocado']]]);

    // MAP_META's records are bigger than its input's: the output no longer fits the lent buffer
    const meta = await engine.chain([{ name: 'meta', wasm: wat.MAP_META }]);
    const hundred = (base: number) => stored(Array.from({ length: 100 }, () => ({ value: 'v' })), base);
    const bigInput = Buffer.concat(Array.from({ length: 30 }, (_, i) => hundred(i * 100)));
    const big = await meta.processBatches(bigInput);
    assert.ok(big.batches.length > 65536 && bigInput.length < 65536);
    assert.equal(batchesOf(big).length, 30);
    assert.ok(!(big.batches.buffer instanceof SharedArrayBuffer), 'spilled output is a buffer of its own');
    big.release();
    // later calls get buffers sized for such outputs
    const again = await meta.processBatches(Buffer.concat(Array.from({ length: 30 }, (_, i) => hundred(3000 + i * 100))));
    assert.ok(again.batches.buffer instanceof SharedArrayBuffer);
    assert.deepEqual(batchesOf(again)[29][0], 5900);
  });

  test('a caller that never releases gets outputs in buffers of their own once too many are out', async () => {
    const chain = await engine.chain([{ name: 'has-a', wasm: wat.FILTER_A }]);
    const results = [];
    for (let i = 0; i < 12; i++) results.push(await chain.processBatches(stored(vals('apple', 'fig'), i * 2)));
    const shared = results.filter((r) => r.batches.buffer instanceof SharedArrayBuffer).length;
    assert.equal(shared, 8, 'at most 8 lent');
    for (const [i, r] of results.entries()) assert.deepEqual(batchesOf(r), [[i * 2, [i * 2], ['apple']]]);
    for (const r of results) r.release();
    assert.ok((await chain.processBatches(stored(vals('again'), 30))).batches.buffer instanceof SharedArrayBuffer);
  });

  test('an empty chain passes batches through in fresh headers', async () => {
    const chain = await engine.chain([]);
    const r = await chain.processBatches(Buffer.concat([stored(vals('p', 'q'), 5), stored([], 7)]));
    assert.deepEqual(batchesOf(r), [[5, [5, 6], ['p', 'q']]]);
    assert.equal(r.count, 2);
  });

  test('a module that traps fails the call; records it returned that do not frame fail it as an ABI error', async () => {
    const trapping = await engine.chain([{ name: 'trapper', wasm: wat.TRAP }]);
    await assert.rejects(trapping.processBatches(stored(vals('x'), 0)), SmartModuleTrapError);
    const bad = await engine.chain([{ name: 'liar', wasm: wat.BAD_OUTPUT }]);
    await assert.rejects(bad.processBatches(stored(vals('x'), 0)), /SmartModule "liar" returned output that does not decode/);
  });

  test('a runaway module times out; a healthy chain\'s pending call is re-sent to the new worker', { timeout: 20_000 }, async () => {
    const healthy = await engine.chain([{ name: 'concat', wasm: wat.AGGREGATE_CONCAT }]);
    assert.deepEqual(batchesOf(await healthy.processBatches(stored(vals('a'), 0))).map((b) => b[2]), [['a']]);
    const looping = await engine.chain([{ name: 'spinner', wasm: wat.INFINITE_LOOP }]);
    const restarts = engine.workerRestarts;
    const stuck = looping.processBatches(stored(vals('x'), 0));
    const queued = healthy.processBatches(Buffer.concat([stored(vals('b'), 1), stored(vals('c'), 2)]));
    await assert.rejects(stuck, SmartModuleTimeoutError);
    assert.deepEqual(batchesOf(await queued).map((b) => b[2]), [['ab'], ['abc']]);
    assert.equal(engine.workerRestarts, restarts + 1);
  });
});

function values(r: { records: Uint8Array }): string[] {
  const buf = Buffer.from(r.records.buffer, r.records.byteOffset, r.records.byteLength);
  return decodeRecords(encodeBatchFromSection(buf, buf.readUInt32BE(0), { firstTimestamp: 0 }), 0).map((x) => x.value.toString());
}
