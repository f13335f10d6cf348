// Growable byte buffers in raw (non-GC) memory. `RawBuffer` is the storage and the
// byte-order-free writers; `ByteBuffer` adds Fluvio's protocol encoding (big-endian, varints),
// `LeBuffer` (graph/buffer.ts) the graph ABI's little-endian one. The SDK keeps its buffers for
// the module's lifetime and reuses them across calls, so steady-state processing allocates
// nothing here. No virtual methods: the subclasses only add writers (unmanaged classes carry
// no runtime type for dispatch).

// @ts-ignore: decorator
@unmanaged
export class RawBuffer {
  /** Start of the buffer; moves when the buffer grows, so keep offsets, not pointers. */
  base: usize = 0;
  capacity: usize = 0;
  /** Bytes written so far. */
  length: usize = 0;

  // @ts-ignore: decorator
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

  /** Appends `n` bytes for the caller to fill: returns where (valid until the next write). */
  // @ts-ignore: decorator
  @inline reserve(n: usize): usize {
    this.ensure(n);
    const p = this.base + this.length;
    this.length += n;
    return p;
  }

  /** Appends `v` in memory order (little-endian); the subclasses' fixed-width writers. */
  // @ts-ignore: decorator
  @inline put<T>(v: T): void {
    this.ensure(sizeof<T>());
    store<T>(this.base + this.length, v);
    this.length += sizeof<T>();
  }

  // @ts-ignore: decorator
  @inline u8(v: u8): void {
    this.put<u8>(v);
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

/** Fluvio's protocol encoding: big-endian integers and zigzag varints. */
// @ts-ignore: decorator
@unmanaged
export class ByteBuffer extends RawBuffer {
  u16(v: u16): void {
    this.put<u16>(bswap<u16>(v));
  }

  u32(v: u32): void {
    this.put<u32>(bswap<u32>(v));
  }

  i64(v: i64): void {
    this.put<i64>(bswap<i64>(v));
  }

  /** Overwrites a u32 written earlier at byte offset `at`. */
  // @ts-ignore: decorator
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
}
