// Stored record batches for property tests, made with @eddy/protocol's encoder (tests only; the
// broker's section tests use them too).
import fc from 'fast-check';
import { encodeBatch, visitRecords } from '@eddy/protocol';
import { setBatchBaseOffset, writeBatchCrc } from '@eddy/protocol/internal';

export type Compression = 0 | 1 | 2 | 3 | 4;

export interface StoredBatchSpec {
  records: { key: Uint8Array | null; value: Uint8Array; dt: number; headers: [string, Uint8Array][] }[];
  base: number;
  t0: number;
  compression: Compression;
}

/** A record with any key, value, headers and a timestamp delta that may be negative. */
export const storedRecord = fc.record({
  key: fc.option(fc.uint8Array({ maxLength: 20 }), { nil: null }),
  value: fc.uint8Array({ maxLength: 300 }),
  dt: fc.integer({ min: -5000, max: 5_000_000 }),
  headers: fc.array(fc.tuple(fc.string({ maxLength: 5 }), fc.uint8Array({ maxLength: 5 })), { maxLength: 2 }),
});

/** A batch spec of 1 to 40 records at any base offset and first timestamp, in one of `compressions`. */
export function storedBatch(compressions: readonly Compression[] = [0]): fc.Arbitrary<StoredBatchSpec> {
  return fc.record({
    records: fc.array(storedRecord, { minLength: 1, maxLength: 40 }),
    base: fc.integer({ min: 0, max: 2 ** 40 }),
    t0: fc.integer({ min: 0, max: 2 ** 41 }),
    compression: fc.constantFrom(...compressions),
  });
}

/** The stored batch a spec describes (base offset set, CRC valid). */
export function batchOf(b: StoredBatchSpec): Buffer {
  const buf = encodeBatch(b.records.map((r) => ({ key: r.key, value: r.value, timestamp: b.t0 + r.dt, headers: r.headers })), { compression: b.compression, timestamp: b.t0 });
  setBatchBaseOffset(buf, 0, b.base);
  writeBatchCrc(buf, 0);
  return buf;
}

/** What a filter module returns: the chosen records of a section, byte for byte, under a new count. */
export function keepRecords(section: Buffer, keep: (i: number) => boolean): Buffer {
  const parts: Buffer[] = [];
  visitRecords(section, 0, 0, (r) => { if (keep(r.index)) parts.push(section.subarray(r.start, r.end)); });
  const count = Buffer.alloc(4);
  count.writeUInt32BE(parts.length);
  return Buffer.concat([count, ...parts]);
}
