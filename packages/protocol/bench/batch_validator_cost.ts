// Micro-benchmark (not a test): the produce-side validator's cost per record.
// Run: npx node packages/protocol/bench/batch_validator_cost.ts [records] [perBatch]
// Default 1M records of ~100 bytes (16-byte key, 70-byte value) in batches of 1000.
import { batchRecordsProblem } from '../src/record/batch_validator.ts';
import { checkBatch } from '../src/record/batch.ts';
import { type CompressionCode } from '../src/record/compression.ts';
import { encodeBatch, type RecordInput } from '../src/record/records.ts';

const total = Number(process.argv[2] ?? 1_000_000);
const perBatch = Number(process.argv[3] ?? 1000);

function batches(compression: CompressionCode): Buffer[] {
  const out: Buffer[] = [];
  for (let n = 0; n < total; n += perBatch) {
    const records: RecordInput[] = [];
    for (let i = 0; i < perBatch; i++) {
      records.push({ key: Buffer.from(`key-${String(n + i).padStart(12, '0')}`), value: Buffer.alloc(70, 97 + (i % 26)), timestamp: 1_700_000_000_000 + i });
    }
    out.push(encodeBatch(records, { compression, baseOffset: n }));
  }
  return out;
}

function time(label: string, list: Buffer[], fn: (b: Buffer) => unknown): void {
  for (let r = 0; r < 2; r++) for (const b of list) fn(b); // warm up
  const runs = 5;
  let best = Infinity;
  for (let r = 0; r < runs; r++) {
    const t0 = process.hrtime.bigint();
    for (const b of list) if (fn(b) !== null && fn !== framing) throw new Error('a valid batch was refused');
    best = Math.min(best, Number(process.hrtime.bigint() - t0));
  }
  console.log(`${label.padEnd(42)} ${(best / total).toFixed(1).padStart(7)} ns/record  (${(best / 1e6).toFixed(1)} ms per ${total} records)`);
}

const framing = (b: Buffer): unknown => checkBatch(b, 0);
const plain = batches(0);
console.log(`${total} records, ${perBatch} per batch, ${(plain[0].length / perBatch).toFixed(0)} bytes/record on the wire`);
time('framing + CRC only (checkBatch)', plain, framing);
time('validator, framing checked by caller', plain, (b) => batchRecordsProblem(b, 0, { checkFraming: false }));
time('validator incl. framing + CRC', plain, (b) => batchRecordsProblem(b, 0));
for (const [name, code] of [['zstd', 4], ['lz4', 3], ['gzip', 1]] as const) {
  time(`validator, ${name} (incl. decompression)`, batches(code), (b) => batchRecordsProblem(b, 0, { checkFraming: false }));
}
