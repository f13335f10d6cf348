import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  CorruptBatchError, batchLastOffsetDelta, batchMaxTimestamp, checkBatch, decodeRecords, encodeBatch,
  readBatchHeader, recordsSection, setBatchBaseOffset, visitRecords, writeBatchCrc,
} from '@eddy/protocol';
import { SectionBuilder, buildOutputBatches, densifySection, scanPreambles } from './section_rewrite.ts';

const record = fc.record({
  key: fc.option(fc.uint8Array({ maxLength: 20 }), { nil: null }),
  value: fc.uint8Array({ maxLength: 300 }),
  dt: fc.integer({ min: -5000, max: 5_000_000 }),
  headers: fc.array(fc.tuple(fc.string({ maxLength: 5 }), fc.uint8Array({ maxLength: 5 })), { maxLength: 2 }),
});
const batchArb = fc.record({
  records: fc.array(record, { minLength: 1, maxLength: 40 }),
  base: fc.integer({ min: 0, max: 2 ** 40 }),
  t0: fc.integer({ min: 0, max: 2 ** 41 }),
  compression: fc.constantFrom(0, 1, 2, 3, 4) as fc.Arbitrary<0 | 1 | 2 | 3 | 4>,
});

interface BatchSpec {
  records: { key: Uint8Array | null; value: Uint8Array; dt: number; headers: [string, Uint8Array][] }[];
  base: number;
  t0: number;
  compression: 0 | 1 | 2 | 3 | 4;
}

function batchOf(b: BatchSpec): Buffer {
  const buf = encodeBatch(b.records.map((r) => ({ key: r.key, value: r.value, timestamp: b.t0 + r.dt, headers: r.headers })), { compression: b.compression, timestamp: b.t0 });
  setBatchBaseOffset(buf, 0, b.base);
  writeBatchCrc(buf, 0);
  return buf;
}

/** What a filter module returns: the chosen records of a section, byte for byte, under a new count. */
function keepRecords(section: Buffer, keep: (i: number) => boolean): Buffer {
  const parts: Buffer[] = [];
  visitRecords(section, 0, 0, (r) => { if (keep(r.index)) parts.push(section.subarray(r.start, r.end)); });
  const count = Buffer.alloc(4);
  count.writeUInt32BE(parts.length);
  return Buffer.concat([count, ...parts]);
}

test('buildOutputBatches: kept records keep their offsets, timestamps, keys, values; header spans the input; CRC valid', () => {
  fc.assert(fc.property(fc.array(fc.tuple(batchArb, fc.func(fc.boolean())), { minLength: 1, maxLength: 4 }), (specs) => {
    const inputs = specs.map(([b]) => batchOf(b));
    const input = Buffer.concat(inputs);
    const parts = [];
    const expected = [];
    let pos = 0;
    for (let i = 0; i < specs.length; i++) {
      const keep = specs[i][1];
      const all = decodeRecords(input, pos);
      const section = keepRecords(recordsSection(input, pos), (k) => keep(k));
      const kept = all.filter((_, k) => keep(k));
      if (kept.length > 0) {
        parts.push({ input, pos, section });
        expected.push({ pos, kept });
      }
      pos += inputs[i].length;
    }
    if (parts.length === 0) return;
    const out = buildOutputBatches(parts);
    let at = 0;
    for (const e of expected) {
      const size = checkBatch(out, at);
      const h = readBatchHeader(out, at);
      const inH = readBatchHeader(input, e.pos);
      assert.equal(h.baseOffset, inH.baseOffset);
      assert.equal(h.firstTimestamp, inH.firstTimestamp);
      assert.equal(h.compression, 0);
      assert.equal(batchLastOffsetDelta(out, at), inH.lastOffsetDelta);
      const got = decodeRecords(out, at);
      assert.deepEqual(got.map((r) => [r.offset, r.timestamp, r.key, r.value, r.headers]), e.kept.map((r) => [r.offset, r.timestamp, r.key, r.value, r.headers]));
      assert.equal(batchMaxTimestamp(out, at), Math.max(inH.firstTimestamp, ...e.kept.map((r) => r.timestamp)));
      at += size;
    }
    assert.equal(at, out.length);
  }), { numRuns: 150 });
});

test('scanPreambles rejects malformed sections with CorruptBatchError and accepts well-formed ones', () => {
  fc.assert(fc.property(batchArb, fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 8 }), (b, cut, junk) => {
    const section = recordsSection(batchOf(b), 0);
    const ok = scanPreambles(section);
    assert.equal(ok.maxOffsetDelta, b.records.length - 1);
    const truncated = section.subarray(0, 4 + (cut % (section.length - 4)));
    assert.throws(() => scanPreambles(truncated), CorruptBatchError);
    assert.throws(() => scanPreambles(Buffer.concat([section, junk])), CorruptBatchError);
  }), { numRuns: 150 });
  fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
    try { scanPreambles(Buffer.from(bytes)); } catch (err) { assert.ok(err instanceof CorruptBatchError, String(err)); }
  }), { numRuns: 300 });
});

test('densifySection renumbers offset deltas 0..n-1 and keeps everything else', () => {
  fc.assert(fc.property(batchArb, fc.func(fc.boolean()), (b, keep) => {
    const section = keepRecords(recordsSection(batchOf(b), 0), (i) => keep(i));
    const before: unknown[] = [];
    visitRecords(section, 0, 0, (r) => { before.push([r.timestampDelta, r.key(), r.value(), r.headers()]); });
    const dense = densifySection(section);
    const after: unknown[] = [];
    visitRecords(dense, 0, 0, (r) => { assert.equal(r.offsetDelta, r.index); after.push([r.timestampDelta, r.key(), r.value(), r.headers()]); });
    assert.deepEqual(after, before);
  }), { numRuns: 150 });
});

test('SectionBuilder gathers records of several batches with their own offsets and timestamps; keepNewest keeps the newest', () => {
  fc.assert(fc.property(fc.array(batchArb, { minLength: 1, maxLength: 4 }), fc.integer({ min: 0, max: 50 }), fc.integer({ min: 0, max: 2000 }), (specs, minIndex, maxBytes) => {
    const all: { offset: number; timestamp: number; value: Buffer }[] = [];
    const builder = new SectionBuilder();
    const trimmed = new SectionBuilder();
    let index = 0;
    for (const s of specs) {
      const buf = batchOf(s);
      const h = readBatchHeader(buf, 0);
      for (const r of decodeRecords(buf, 0)) all.push({ offset: r.offset, timestamp: r.timestamp, value: r.value });
      builder.addSection(recordsSection(buf, 0), h.baseOffset, h.firstTimestamp, () => index++ >= minIndex);
      trimmed.addSection(recordsSection(buf, 0), h.baseOffset, h.firstTimestamp, () => true);
    }
    const read = (b: { records: Buffer; baseOffset: number; baseTimestamp: number }) => {
      const got: typeof all = [];
      visitRecords(b.records, b.baseOffset, b.baseTimestamp, (r) => { got.push({ offset: r.offset, timestamp: r.timestamp, value: r.value() }); });
      return got;
    };
    assert.deepEqual(read(builder.build()), all.slice(minIndex));
    trimmed.keepNewest(maxBytes);
    const t = trimmed.build();
    assert.ok(t.records.length <= Math.max(4, maxBytes), `${t.records.length} > ${maxBytes}`);
    assert.deepEqual(read(t), all.slice(all.length - trimmed.count));
  }), { numRuns: 100 });
});
