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

/** Index of the first occurrence of `needle` bytes in memory [ptr, ptr + len), or -1. */
export function indexOfBytes(ptr: usize, len: i32, needlePtr: usize, needleLen: i32): i32 {
  if (needleLen == 0) return 0;
  if (needleLen > len) return -1;
  const first = load<u8>(needlePtr);
  const last = len - needleLen;
  for (let i = 0; i <= last; i++) {
    if (load<u8>(ptr + <usize>i) != first) continue;
    if (memory.compare(ptr + <usize>i, needlePtr, <usize>needleLen) == 0) return i;
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
