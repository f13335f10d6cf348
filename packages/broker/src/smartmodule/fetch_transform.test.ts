// The consumer-side pipeline against a real partition log and engine: the stream's reads of any
// size, served by the log or by the pipeline's own read(), map onto the passes read ahead; every
// batch goes through the chain exactly once, in order; output memory is handed back on release.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { ErrorCode, checkBatch, decodeRecords, encodeBatch, EddyError } from '@eddy/protocol';
import { batchTotalSize } from '@eddy/protocol/internal';
import type { CompressionCode } from '@eddy/protocol';
import { SmartEngine } from '@eddy/smartengine';
import { PartitionLog } from '../storage/index.ts';
import { chainFetchTransform } from './fetch_transform.ts';
import { AGGREGATE_CONCAT, FILTER_A, TRAP } from '../../test/smartmodule_helpers.ts';

const silent = { info() {}, warn() {}, error() {} };
const engine = new SmartEngine({ workers: 1, logger: () => {} });
const roots: string[] = [];
after(async () => {
  await engine.close();
  for (const r of roots) fs.rmSync(r, { recursive: true, force: true });
});

/** A log holding `batches` (lists of values), each batch with its codec. */
async function logOf(batches: { values: string[]; compression?: CompressionCode }[]): Promise<PartitionLog> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'eddy-smft-'));
  roots.push(root);
  const log = await PartitionLog.open(path.join(root, 't-0'), { flush: 'os', tailCacheBytes: 64 * 1024 }, { logger: silent });
  for (const b of batches) await log.append(encodeBatch(b.values.map((v) => ({ value: Buffer.from(v) })), { compression: b.compression ?? 0, timestamp: 1000 }));
  guardReads(log);
  return log;
}

/**
 * Reads hand out private copies that are poisoned on release, so bytes used after their
 * release (or released twice) show up as corrupt batches (or in the count).
 */
const guards = new Map<PartitionLog, { doubleReleases: number }>();
function guardReads(log: PartitionLog): void {
  const stats = { doubleReleases: 0 };
  guards.set(log, stats);
  const read = log.read.bind(log);
  log.read = async (offset: number, maxBytes: number) => {
    const r = await read(offset, maxBytes);
    const data = Buffer.from(r.data);
    r.release();
    let released = false;
    return {
      data,
      nextOffset: r.nextOffset,
      release: () => {
        if (released) stats.doubleReleases++;
        released = true;
        data.fill(0xee);
      },
    };
  };
}

interface Seen { offset: number; value: string }

/** What a stream does: read, transform, send (here: decode and release), move on; returns the records it would send. */
async function stream(log: PartitionLog, t: ReturnType<typeof chainFetchTransform>, wants: number[], useRead: boolean, start = 0) {
  const seen: Seen[] = [];
  let position = start;
  let error: unknown = null;
  for (let i = 0; position < log.highWatermark; i++) {
    const want = wants[i % wants.length];
    const read = useRead && t.read ? await t.read(position, want) : await log.read(position, want);
    const out = await t(read.data, read.nextOffset, position);
    for (let at = 0; at < out.batches.length; at += batchTotalSize(out.batches, at)) {
      checkBatch(out.batches, at);
      for (const r of decodeRecords(out.batches, at)) seen.push({ offset: r.offset, value: r.value.toString() });
    }
    out.release();
    read.release();
    position = Math.max(read.nextOffset, out.nextOffset ?? 0);
    if (out.error) {
      error = out.error;
      break;
    }
  }
  return { seen, error };
}

const word = fc.constantFrom('apple', 'fig', 'banana', 'kiwi', 'plum', 'date', 'a'.repeat(300), 'b'.repeat(200));
const batchesArb = fc.array(fc.record({
  values: fc.array(word, { minLength: 1, maxLength: 30 }),
  compression: fc.constantFrom<CompressionCode>(0, 0, 0, 1, 4),
}), { minLength: 1, maxLength: 25 });

test('reads of any size, from the log or served by read(): every batch filtered once, stored offsets kept', async () => {
  await fc.assert(fc.asyncProperty(batchesArb, fc.array(fc.integer({ min: 1, max: 12_000 }), { minLength: 1, maxLength: 5 }), fc.boolean(), async (batches, wants, useRead) => {
    const log = await logOf(batches);
    const expected: Seen[] = [];
    let offset = 0;
    for (const b of batches) for (const v of b.values) { if (v.includes('a')) expected.push({ offset, value: v }); offset++; }
    const chain = await engine.chain([{ name: 'has-a', wasm: FILTER_A }]);
    const t = chainFetchTransform(chain, { maxSectionBytes: 1 << 20, log });
    const { seen, error } = await stream(log, t, wants, useRead);
    await t.close();
    await log.close();
    assert.equal(error, null);
    assert.deepEqual(seen, expected);
    assert.equal(guards.get(log)!.doubleReleases, 0);
  }), { numRuns: 25 });
});

test('reads served in several parts from one pass stay intact after the pass settled (its buffer is not given back early)', async () => {
  const batches = Array.from({ length: 120 }, (_, i) => ({ values: Array.from({ length: 20 }, (_, k) => `apple ${i}-${k} ${'x'.repeat(60)}`) }));
  const log = await logOf(batches);
  const chain = await engine.chain([{ name: 'has-a', wasm: FILTER_A }]);
  const t = chainFetchTransform(chain, { maxSectionBytes: 1 << 20, log });
  // big reads make big passes ahead; the tiny reads after them are served from those passes
  // (settled by then) while further passes are read into recycled buffers
  const { seen, error } = await stream(log, t, [40_000, 40_000, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], true);
  await t.close();
  await log.close();
  assert.equal(error, null);
  assert.equal(guards.get(log)!.doubleReleases, 0);
  assert.equal(seen.length, 120 * 20);
  assert.deepEqual(seen.map((r) => r.offset), Array.from({ length: 2400 }, (_, i) => i));
});

test('an aggregate sees every batch exactly once, in order, whatever the read sizes', async () => {
  const batches = Array.from({ length: 40 }, (_, i) => ({ values: [`${i % 10}`] }));
  for (const useRead of [false, true]) {
    const log = await logOf(batches);
    const chain = await engine.chain([{ name: 'concat', wasm: AGGREGATE_CONCAT }]);
    const t = chainFetchTransform(chain, { maxSectionBytes: 1 << 20, log });
    const { seen } = await stream(log, t, [70, 300, 150, 1000], useRead);
    await t.close();
    await log.close();
    let acc = '';
    assert.deepEqual(seen, batches.map((b, i) => ({ offset: i, value: (acc += b.values[0]) })));
  }
});

test('a stream starting inside a batch: the chain sees only the records from the start on, at their offsets', async () => {
  const digits = fc.array(fc.constantFrom('0', '1', '2', '3', '4', '5', '6', '7', '8', '9'), { minLength: 1, maxLength: 12 });
  const arb = fc.array(fc.record({ values: digits, compression: fc.constantFrom<CompressionCode>(0, 0, 1, 4) }), { minLength: 1, maxLength: 8 });
  await fc.assert(fc.asyncProperty(arb, fc.nat(), fc.array(fc.integer({ min: 1, max: 400 }), { minLength: 1, maxLength: 3 }), fc.boolean(), async (batches, at, wants, useRead) => {
    const log = await logOf(batches);
    const start = at % log.highWatermark;
    const chain = await engine.chain([{ name: 'concat', wasm: AGGREGATE_CONCAT }]);
    const t = chainFetchTransform(chain, { maxSectionBytes: 1 << 20, log });
    const { seen, error } = await stream(log, t, wants, useRead, start);
    await t.close();
    await log.close();
    assert.equal(error, null);
    let acc = '';
    const expected = batches.flatMap((b) => b.values).slice(start).map((v, i) => ({ offset: start + i, value: (acc += v) }));
    assert.deepEqual(seen, expected);
  }), { numRuns: 30 });
});

test('output memory comes back once the stream releases what it sent, and only then', async () => {
  const batches = Array.from({ length: 60 }, (_, i) => ({ values: [`apple ${i}`, `fig ${i}`] }));
  for (const release of [true, false]) {
    const log = await logOf(batches);
    const chain = await engine.chain([{ name: 'has-a', wasm: FILTER_A }]);
    const t = chainFetchTransform(chain, { maxSectionBytes: 1 << 20, log });
    const buffers = new Set<ArrayBufferLike>();
    const held: Buffer[] = [];
    const copies: Buffer[] = [];
    for (let position = 0; position < log.highWatermark;) {
      const read = await t.read!(position, 1);
      const out = await t(read.data, read.nextOffset, position);
      buffers.add(out.batches.buffer);
      if (release) out.release();
      else { held.push(out.batches); copies.push(Buffer.from(out.batches)); }
      read.release();
      position = read.nextOffset;
    }
    await t.close();
    await log.close();
    const shared = [...buffers].filter((b) => b instanceof SharedArrayBuffer).length;
    if (release) {
      assert.ok(shared <= 8, `${shared} output buffers for 60 reads`);
      assert.equal(buffers.size, shared, 'all lent');
    } else {
      assert.equal(shared, 8, 'lends 8, then copies out');
      assert.deepEqual(held, copies, 'what the stream still holds is never overwritten');
    }
  }
});

test('a record error ends the output at its record, with its offset; later reads are not sent', async () => {
  const log = await logOf([{ values: ['ant', 'bee'] }, { values: ['cat', '!boom', 'gnat'] }, { values: ['yak'] }]);
  const chain = await engine.chain([{ name: 'has-a', wasm: FILTER_A }]);
  const t = chainFetchTransform(chain, { maxSectionBytes: 1 << 20, log });
  const { seen, error } = await stream(log, t, [100], true);
  await t.close();
  await log.close();
  assert.deepEqual(seen, [{ offset: 0, value: 'ant' }, { offset: 2, value: 'cat' }]);
  assert.equal((error as { offset: number }).offset, 3);
});

test('a chain that dies (a trap) fails the read with a SmartModuleRuntime error naming the module', async () => {
  const log = await logOf([{ values: ['ant'] }, { values: ['bee'] }]);
  const chain = await engine.chain([{ name: 'trapper', wasm: TRAP }]);
  const t = chainFetchTransform(chain, { maxSectionBytes: 1 << 20, log });
  const read = await t.read!(0, 40);
  await assert.rejects(t(read.data, read.nextOffset), (err) => {
    assert.ok(err instanceof EddyError);
    assert.equal(err.code, ErrorCode.SmartModuleRuntime);
    assert.match(err.message, /SmartModule "trapper" trapped/);
    return true;
  });
  await t.close();
  await log.close();
});
