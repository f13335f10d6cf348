// A growable little-endian byte buffer in raw (non-GC) memory: the graph ABI's output and
// scratch space. Kept for the module's lifetime and reused, so steady state allocates nothing.

// @ts-ignore: decorator
@unmanaged
export class LeBuffer {
  /** Start of the buffer; moves when it grows, so keep offsets, not pointers. */
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
    let cap = this.capacity < 1024 ? <usize>1024 : this.capacity << 1;
    while (cap < needed) cap <<= 1;
    this.base = this.base == 0 ? heap.alloc(cap) : heap.realloc(this.base, cap);
    this.capacity = cap;
  }

  // @ts-ignore: decorator
  @inline u8(v: u8): void {
    this.ensure(1);
    store<u8>(this.base + this.length, v);
    this.length += 1;
  }

  // @ts-ignore: decorator
  @inline u16(v: u16): void {
    this.ensure(2);
    store<u16>(this.base + this.length, v);
    this.length += 2;
  }

  // @ts-ignore: decorator
  @inline u32(v: u32): void {
    this.ensure(4);
    store<u32>(this.base + this.length, v);
    this.length += 4;
  }

  // @ts-ignore: decorator
  @inline u64(v: u64): void {
    this.ensure(8);
    store<u64>(this.base + this.length, v);
    this.length += 8;
  }

  /** Copies `len` bytes from linear memory at `ptr`. */
  bytes(ptr: usize, len: usize): void {
    if (len == 0) return;
    this.ensure(len);
    memory.copy(this.base + this.length, ptr, len);
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

  /** Appends `s` as u32 length + UTF-8 (the ABI's parameter and label encoding). */
  lenUtf8(s: string): void {
    const at = this.length;
    this.u32(0);
    const n = this.utf8(s);
    store<u32>(this.base + at, <u32>n);
  }
}
