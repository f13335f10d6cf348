import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeRecords, readBatchHeader, visitRecords } from '@eddy/protocol';
import { recordsSection } from '@eddy/protocol/internal';
import { SectionBuilder, densifySection, sectionFrom } from './section_rewrite.ts';
import { batchOf, keepRecords, storedBatch } from '../../../smartengine/test/stored_batches.ts';

const batchArb = storedBatch([0, 1, 2, 3, 4]);

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
