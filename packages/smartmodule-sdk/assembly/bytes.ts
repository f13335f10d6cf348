// Byte-level helpers over raw memory, so common checks on a record need no string.

// The last needle encoded to UTF-8, keyed by identity: needles are usually constants or
// params, so this hits on every record after the first. Holding the string keeps the GC
// from reusing its address for another string while it is cached.
let needleString: string = "";
let needleBytes: ArrayBuffer = new ArrayBuffer(0);

/** UTF-8 bytes of `s`, cached for the most recent needle. */
export function needleOf(s: string): ArrayBuffer {
  if (changetype<usize>(s) != changetype<usize>(needleString)) {
    needleBytes = String.UTF8.encode(s);
    needleString = s;
  }
  return needleBytes;
}

/** True when memory [ptr, ptr + len) equals the UTF-8 encoding of `s`. */
export function bytesEqualString(ptr: usize, len: i32, s: string): bool {
  const needle = needleOf(s);
  if (needle.byteLength != len) return false;
  return memory.compare(ptr, changetype<usize>(needle), <usize>len) == 0;
}

const LOW_BITS: u64 = 0x0101010101010101;
const HIGH_BITS: u64 = 0x8080808080808080;

/**
 * Index of the first byte equal to `b` in memory [ptr + from, ptr + end), or -1. Eight bytes per
 * step (SWAR): in `x = word ^ (b * LOW_BITS)` a matching byte is zero, and the lowest byte
 * flagged by `(x - LOW_BITS) & ~x & HIGH_BITS` is the first zero byte (borrows only run upward,
 * so they can flag bytes after a true zero, never before it). Plain wasm, no SIMD needed.
 */
export function indexOfByte(ptr: usize, from: i32, end: i32, b: u8): i32 {
  const pattern = LOW_BITS * <u64>b;
  let i = from;
  for (; i + 8 <= end; i += 8) {
    const x = load<u64>(ptr + <usize>i) ^ pattern;
    const found = (x - LOW_BITS) & ~x & HIGH_BITS;
    if (found != 0) return i + <i32>(ctz(found) >> 3);
  }
  for (; i < end; i++) if (load<u8>(ptr + <usize>i) == b) return i;
  return -1;
}

/** Index of the first occurrence of `needle` bytes in memory [ptr, ptr + len), or -1. */
export function indexOfBytes(ptr: usize, len: i32, needlePtr: usize, needleLen: i32): i32 {
  if (needleLen == 0) return 0;
  if (needleLen > len) return -1;
  const first = load<u8>(needlePtr);
  // candidates: where the first byte occurs, up to the last place the needle fits
  const stop = len - needleLen + 1;
  for (let i = indexOfByte(ptr, 0, stop, first); i >= 0; i = indexOfByte(ptr, i + 1, stop, first)) {
    if (needleLen == 1 || memory.compare(ptr + <usize>i + 1, needlePtr + 1, <usize>(needleLen - 1)) == 0) return i;
  }
  return -1;
}

/** True when memory [ptr, ptr + len) contains the UTF-8 encoding of `s`. */
export function bytesContainString(ptr: usize, len: i32, s: string): bool {
  const needle = needleOf(s);
  return indexOfBytes(ptr, len, changetype<usize>(needle), needle.byteLength) >= 0;
}

/** True when memory [ptr, ptr + len) starts with the UTF-8 encoding of `s`. */
export function bytesStartWithString(ptr: usize, len: i32, s: string): bool {
  const needle = needleOf(s);
  const n = needle.byteLength;
  return n <= len && memory.compare(ptr, changetype<usize>(needle), <usize>n) == 0;
}

/** A copy of memory [ptr, ptr + len). */
export function copyBytes(ptr: usize, len: i32): Uint8Array {
  const out = new Uint8Array(len);
  if (len > 0) memory.copy(out.dataStart, ptr, <usize>len);
  return out;
}
