/**
 * Zigzag LEB128 varints (Kafka/Fluvio record encoding).
 *
 * Writers take `(buf, pos, value)` and return the position after the varint; readers take a
 * `Cursor` and advance it, so a decoder allocates one cursor per call, not one per field.
 * Nothing here allocates.
 *
 * Two widths:
 * - `varint32`: values in the int32 range (lengths, counts, offset deltas); at most 5 bytes.
 * - `varint64`: any safe integer (|v| <= 2^53 - 1), e.g. timestamp deltas; at most 10 bytes on
 *   the wire (8 for safe integers). Arithmetic avoids forming the zigzag value as one number,
 *   which would lose precision above 2^53.
 */

/** A read position that readers advance. Reuse one per decode pass. */
export interface Cursor {
  pos: number;
}

/** A varint that runs past the buffer, is too long, or does not fit the requested width. */
export class VarintError extends RangeError {
  readonly position: number;
  constructor(message: string, position: number) {
    super(message);
    this.name = 'VarintError';
    this.position = position;
  }
}

const TWO_POW_32 = 0x1_0000_0000;

// ---------------------------------------------------------------------------------------------
// 32-bit

/** Bytes needed to encode `value` (an int32) as a zigzag varint. */
export function varint32Size(value: number): number {
  const u = ((value << 1) ^ (value >> 31)) >>> 0;
  if (u < 0x80) return 1;
  if (u < 0x4000) return 2;
  if (u < 0x20_0000) return 3;
  if (u < 0x1000_0000) return 4;
  return 5;
}

/** Writes `value` (must be an int32) as a zigzag varint at `pos`; returns the end position. */
export function writeVarint32(buf: Uint8Array, pos: number, value: number): number {
  if ((value | 0) !== value) {
    throw new VarintError(`varint32 value out of int32 range: ${value}`, pos);
  }
  let u = ((value << 1) ^ (value >> 31)) >>> 0;
  while (u >= 0x80) {
    buf[pos++] = (u & 0x7f) | 0x80;
    u >>>= 7;
  }
  buf[pos++] = u;
  return pos;
}

/** Reads a zigzag varint that must fit in an int32; advances `cur.pos`. */
export function readVarint32(buf: Uint8Array, cur: Cursor): number {
  const start = cur.pos;
  let pos = start;
  const len = buf.length;
  let u = 0;
  let shift = 0;
  for (;;) {
    if (pos >= len) throw new VarintError(`varint runs past end of buffer at byte ${start}`, start);
    const b = buf[pos++];
    if (shift === 28) {
      // 5th byte: only the low 4 bits may be used and no continuation allowed.
      if (b > 0x0f) throw new VarintError(`varint32 too long at byte ${start}`, start);
      u |= b << 28;
      break;
    }
    u |= (b & 0x7f) << shift;
    if (b < 0x80) break;
    shift += 7;
  }
  cur.pos = pos;
  return (u >>> 1) ^ -(u & 1);
}

// ---------------------------------------------------------------------------------------------
// 64-bit (safe-integer) variant

/** Bytes needed to encode `value` (a safe integer) as a zigzag varint. */
export function varint64Size(value: number): number {
  if ((value | 0) === value) return varint32Size(value);
  // zigzag(value) = 2a + s with a = |value| or |value|-1; size depends only on a (< 2^53).
  let a = value >= 0 ? value : -value - 1;
  let n = 1;
  a = Math.floor(a / 64); // the first byte carries 6 bits of a (plus the sign bit)
  while (a > 0) {
    n++;
    a = Math.floor(a / 128);
  }
  return n;
}

/** Writes `value` (must be a safe integer) as a zigzag varint at `pos`; returns the end position. */
export function writeVarint64(buf: Uint8Array, pos: number, value: number): number {
  if ((value | 0) === value) return writeVarint32(buf, pos, value);
  if (!Number.isSafeInteger(value)) {
    throw new VarintError(`varint64 value is not a safe integer: ${value}`, pos);
  }
  const neg = value < 0;
  const a = neg ? -value - 1 : value;
  // First byte: sign bit + low 6 bits of a; a >= 2^30 here, so a continuation always follows.
  buf[pos++] = 0x80 | ((a % 64) * 2) | (neg ? 1 : 0);
  let r = Math.floor(a / 64);
  while (r >= 0x80) {
    buf[pos++] = (r % 128) | 0x80;
    r = Math.floor(r / 128);
  }
  buf[pos++] = r;
  return pos;
}

/** Reads a zigzag varint whose value must be a safe integer; advances `cur.pos`. */
export function readVarint64(buf: Uint8Array, cur: Cursor): number {
  const start = cur.pos;
  let pos = start;
  const len = buf.length;
  // Fast path: up to 4 bytes (28 bits) with plain bit operations.
  let u = 0;
  let shift = 0;
  for (;;) {
    if (pos >= len) throw new VarintError(`varint runs past end of buffer at byte ${start}`, start);
    const b = buf[pos++];
    u |= (b & 0x7f) << shift;
    if (b < 0x80) {
      cur.pos = pos;
      return (u >>> 1) ^ -(u & 1);
    }
    shift += 7;
    if (shift === 28) break;
  }
  // Slow path: keep the zigzag sign bit apart and build a = zigzag >> 1 in floating point.
  const sign = u & 1;
  let a = u >>> 1; // 27 bits
  let scale = 1 << 27;
  for (;;) {
    if (pos >= len) throw new VarintError(`varint runs past end of buffer at byte ${start}`, start);
    if (pos - start >= 10) throw new VarintError(`varint64 too long at byte ${start}`, start);
    const b = buf[pos++];
    a += (b & 0x7f) * scale;
    if (b < 0x80) break;
    scale *= 128;
  }
  const v = sign ? -a - 1 : a;
  if (!Number.isSafeInteger(v)) {
    throw new VarintError(`varint64 at byte ${start} exceeds the safe integer range`, start);
  }
  cur.pos = pos;
  return v;
}

// ---------------------------------------------------------------------------------------------
// Fixed-width 64-bit helpers (big-endian), shared by the batch header code.

/** Reads a big-endian i64 as a JS number (exact for |v| <= 2^53). */
export function readInt64BE(buf: Uint8Array, pos: number): number {
  const hi = (buf[pos] << 24) | (buf[pos + 1] << 16) | (buf[pos + 2] << 8) | buf[pos + 3];
  const lo = ((buf[pos + 4] << 24) | (buf[pos + 5] << 16) | (buf[pos + 6] << 8) | buf[pos + 7]) >>> 0;
  return hi * TWO_POW_32 + lo;
}

/** Writes a safe integer as a big-endian i64. */
export function writeInt64BE(buf: Uint8Array, pos: number, value: number): number {
  if (!Number.isSafeInteger(value)) {
    throw new RangeError(`i64 value is not a safe integer: ${value}`);
  }
  const hi = Math.floor(value / TWO_POW_32);
  const lo = value - hi * TWO_POW_32;
  buf[pos] = hi >>> 24;
  buf[pos + 1] = hi >>> 16;
  buf[pos + 2] = hi >>> 8;
  buf[pos + 3] = hi;
  buf[pos + 4] = lo >>> 24;
  buf[pos + 5] = lo >>> 16;
  buf[pos + 6] = lo >>> 8;
  buf[pos + 7] = lo;
  return pos + 8;
}
