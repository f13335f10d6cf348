import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { encodeRecordsSection, visitRecords } from './records.ts';
import { sectionFrom } from './section_from.ts';

test('sectionFrom keeps the records from `from` on, each at its offset relative to the new base', () => {
  fc.assert(fc.property(
    fc.array(fc.string(), { minLength: 1, maxLength: 20 }), fc.integer({ min: 0, max: 1000 }), fc.nat(25),
    (vals, base, cut) => {
      const section = encodeRecordsSection(vals.map((v, i) => ({ key: null, value: Buffer.from(v), timestamp: 1000 + i })), { firstTimestamp: 1000, timestamp: 1000 });
      const from = base + cut;
      const out = sectionFrom(section, base, from);
      const got: { offset: number; value: string; timestamp: number }[] = [];
      visitRecords(out, from, 1000, (r) => { got.push({ offset: r.offset, value: r.value().toString(), timestamp: r.timestamp }); });
      const want = vals.map((v, i) => ({ offset: base + i, value: v, timestamp: 1000 + i })).filter((r) => r.offset >= from);
      assert.deepEqual(got, want);
      assert.equal(out.readUInt32BE(0), want.length);
    }));
});
