import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeRecords, encodeBatch, readBatchHeader, visitRecords } from '@eddy/protocol';
import { recordsSection, setBatchBaseOffset, writeBatchCrc } from '@eddy/protocol/internal';
import { SectionBuilder, densifySection, sectionFrom } from './section_rewrite.ts';

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

test('sectionFrom keeps the records from an offset on, each at its offset under a base moved there', () => {
  fc.assert(fc.property(batchArb, fc.nat(), fc.func(fc.boolean()), (b, at, keep) => {
    // sparse deltas too (a filtered section), as stored batches need not be dense
    const section = keepRecords(recordsSection(batchOf({ ...b, compression: 0 }), 0), (i) => i === 0 || keep(i));
    const all: unknown[][] = [];
    visitRecords(section, b.base, b.t0, (r) => { all.push([r.offset, r.timestamp, r.attributes, r.key(), r.value(), r.headers()]); });
    const from = b.base + (at % (b.records.length + 2)); // past the last record too
    const cut = sectionFrom(section, b.base, from);
    const got: unknown[][] = [];
    visitRecords(cut, from, b.t0, (r) => { got.push([r.offset, r.timestamp, r.attributes, r.key(), r.value(), r.headers()]); });
    assert.deepEqual(got, all.filter((r) => (r[0] as number) >= from));
  }), { numRuns: 150 });
});
