// A growable byte buffer in raw (non-GC) memory, written in Fluvio's protocol encoding.
// The SDK keeps one for the module output and one as JSON scratch space and reuses them
// across calls, so steady-state processing allocates nothing here.

// @ts-ignore: decorator
@unmanaged
export class ByteBuffer {
  /** Start of the buffer; moves when the buffer grows, so keep offsets, not pointers. */
  base: usize = 0;
  capacity: usize = 0;
  /** Bytes written so far. */
  length: usize = 0;

  @inline clear(): void {
    this.length = 0;
  }

  /** Makes room for `n` more bytes. */
  ensure(n: usize): void {
    const needed = this.length + n;
    if (needed <= this.capacity) return;
    let cap = this.capacity < 256 ? <usize>256 : this.capacity << 1;
    while (cap < needed) cap <<= 1;
    this.base = this.base == 0 ? heap.alloc(cap) : heap.realloc(this.base, cap);
    this.capacity = cap;
  }

  @inline u8(v: u8): void {
    this.ensure(1);
    store<u8>(this.base + this.length, v);
    this.length += 1;
  }

  u16(v: u16): void {
    this.ensure(2);
    store<u16>(this.base + this.length, bswap<u16>(v));
    this.length += 2;
  }

  u32(v: u32): void {
    this.ensure(4);
    store<u32>(this.base + this.length, bswap<u32>(v));
    this.length += 4;
  }

  i64(v: i64): void {
    this.ensure(8);
    store<i64>(this.base + this.length, bswap<i64>(v));
    this.length += 8;
  }

  /** Overwrites a u32 written earlier at byte offset `at`. */
  @inline patchU32(at: usize, v: u32): void {
    store<u32>(this.base + at, bswap<u32>(v));
  }

  /** Zigzag LEB128 varint. */
  varint(v: i64): void {
    this.ensure(10);
    let raw = <u64>((v << 1) ^ (v >> 63));
    let p = this.base + this.length;
    while (raw >= 0x80) {
      store<u8>(p++, <u8>(raw & 0x7f) | 0x80);
      raw >>>= 7;
    }
    store<u8>(p++, <u8>raw);
    this.length = p - this.base;
  }

  /** Copies `len` bytes from linear memory at `ptr`. */
  bytes(ptr: usize, len: usize): void {
    if (len == 0) return;
    this.ensure(len);
    memory.copy(this.base + this.length, ptr, len);
    this.length += len;
  }

  /** Copies `len` bytes from an earlier part of this buffer (offset `from`). */
  copyWithin(from: usize, len: usize): void {
    if (len == 0) return;
    this.ensure(len);
    memory.copy(this.base + this.length, this.base + from, len);
    this.length += len;
  }

  /** Appends the UTF-8 encoding of `s`; returns the number of bytes written. */
  utf8(s: string): usize {
    const n = <usize>String.UTF8.byteLength(s);
    this.ensure(n);
    String.UTF8.encodeUnsafe(changetype<usize>(s), s.length, this.base + this.length);
    this.length += n;
    return n;
  }

  /** A string decoded from bytes [from, length) as UTF-8. */
  toStringFrom(from: usize): string {
    return String.UTF8.decodeUnsafe(this.base + from, this.length - from);
  }

  /** A copy of bytes [from, length). */
  toBytesFrom(from: usize): Uint8Array {
    const n = <i32>(this.length - from);
    const out = new Uint8Array(n);
    if (n > 0) memory.copy(out.dataStart, this.base + from, <usize>n);
    return out;
  }
}
