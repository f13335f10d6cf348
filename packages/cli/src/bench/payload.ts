// Record values for benchmarks: a small pool of distinct printable payloads, made once and reused,
// so generating data costs nothing during the timed part and content-based filters (e.g. "contains
// 'a'") see realistic variety. The e2e modes stamp the send time into the first 8 bytes.

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** `count` distinct values of `size` bytes each, drawn from a fixed seed (same data every run). */
export function payloadPool(size: number, count = 64): Buffer[] {
  let seed = 0x2545f491;
  const next = (): number => {
    // xorshift32: deterministic, so every system in a side-by-side run gets the same bytes.
    seed ^= seed << 13; seed >>>= 0;
    seed ^= seed >>> 17;
    seed ^= seed << 5; seed >>>= 0;
    return seed;
  };
  const pool: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const b = Buffer.allocUnsafe(size);
    for (let j = 0; j < size; j++) b[j] = ALPHABET.charCodeAt(next() % ALPHABET.length);
    pool.push(b);
  }
  return pool;
}

/** A value of `size` bytes whose first 8 bytes carry `performance.now()` (float64 LE). */
export function stampedValue(size: number, template: Buffer): Buffer {
  const b = Buffer.allocUnsafe(size);
  template.copy(b, 0, 0, size);
  b.writeDoubleLE(performance.now(), 0);
  return b;
}

/** Milliseconds since the value was stamped (same process: same clock). */
export function ageMs(value: Uint8Array): number {
  // A Buffer reads it in place; a DataView would be one more object per received record.
  if (Buffer.isBuffer(value)) return performance.now() - value.readDoubleLE(0);
  return performance.now() - new DataView(value.buffer, value.byteOffset, 8).getFloat64(0, true);
}
