// Reads Fluvio's protocol encoding straight from linear memory: big-endian fixed-width
// integers and zigzag LEB128 varints (varintAt). Out-of-bounds reads fail softly instead of
// trapping (a Cursor sets `failed`, varintAt sets varintEnd to 0), so a malformed input becomes
// an error code rather than a crashed module.

/**
 * A read position over [pos, end) of linear memory. Unmanaged (no GC header, no shadow-stack
 * traffic): the SDK keeps a few for the module's lifetime and reads every record through them.
 */
// @ts-ignore: decorator
@unmanaged
export class Cursor {
  pos: usize = 0;
  end: usize = 0;
  failed: bool = false;

  @inline reset(start: usize, end: usize): void {
    this.pos = start;
    this.end = end;
    this.failed = false;
  }

  @inline get remaining(): usize {
    return this.end - this.pos;
  }

  /** True (and marks the cursor failed) when fewer than `n` bytes are left. */
  @inline short(n: usize): bool {
    if (this.failed || this.end - this.pos < n) {
      this.failed = true;
      return true;
    }
    return false;
  }

  @inline u8(): u8 {
    if (this.short(1)) return 0;
    const v = load<u8>(this.pos);
    this.pos += 1;
    return v;
  }

  u16(): u16 {
    if (this.short(2)) return 0;
    const v = bswap<u16>(load<u16>(this.pos));
    this.pos += 2;
    return v;
  }

  u32(): u32 {
    if (this.short(4)) return 0;
    const v = bswap<u32>(load<u32>(this.pos));
    this.pos += 4;
    return v;
  }

  i64(): i64 {
    if (this.short(8)) return 0;
    const v = bswap<i64>(load<i64>(this.pos));
    this.pos += 8;
    return v;
  }

  /** A bool byte: 0 or 1; anything else is malformed. */
  @inline bool(): bool {
    const b = this.u8();
    if (b > 1) this.failed = true;
    return b == 1;
  }

  /** Skips `n` bytes; fails when they are not there. */
  @inline skip(n: usize): void {
    if (this.short(n)) return;
    this.pos += n;
  }
}

/** Where the last varintAt ended; 0 when it was malformed or ran past its limit. */
export let varintEnd: usize = 0;

/**
 * The zigzag LEB128 varint at `p` (up to 10 bytes, Kafka/Fluvio `varint` for i64), reading no
 * byte at or past `limit`; sets `varintEnd`. A free function rather than a Cursor method: the
 * record loops keep their position in a local, while a Cursor lives in linear memory, so every
 * read through it reloads and stores its fields.
 */
// @ts-ignore: decorator
@inline
export function varintAt(p: usize, limit: usize): i64 {
  if (limit - p >= 2 && p < limit) {
    const b0 = <u32>load<u8>(p);
    if (b0 < 0x80) {
      varintEnd = p + 1;
      return <i64>(b0 >>> 1) ^ -(<i64>(b0 & 1));
    }
    const b1 = <u32>load<u8>(p, 1);
    if (b1 < 0x80) {
      varintEnd = p + 2;
      const raw = (b0 & 0x7f) | (b1 << 7);
      return <i64>(raw >>> 1) ^ -(<i64>(raw & 1));
    }
  }
  return varintAtSlow(p, limit);
}

function varintAtSlow(p: usize, limit: usize): i64 {
  let raw: u64 = 0;
  let shift: u64 = 0;
  while (true) {
    if (p >= limit || shift > 63) {
      varintEnd = 0;
      return 0;
    }
    const b = load<u8>(p);
    p += 1;
    raw |= (<u64>(b & 0x7f)) << shift;
    if ((b & 0x80) == 0) break;
    shift += 7;
  }
  varintEnd = p;
  return <i64>(raw >>> 1) ^ -(<i64>(raw & 1));
}

/** Bytes a zigzag varint of `v` takes. */
export function varintSize(v: i64): i32 {
  let raw = <u64>((v << 1) ^ (v >> 63));
  let n = 1;
  while (raw >= 0x80) {
    raw >>>= 7;
    n++;
  }
  return n;
}
