// The graph ABI's little-endian byte buffer (output and scratch space): the SDK's shared
// RawBuffer (storage, bytes, UTF-8) plus little-endian integers and length-prefixed strings.
import { RawBuffer } from "../byte_buffer";

// @ts-ignore: decorator
@unmanaged
export class LeBuffer extends RawBuffer {
  // @ts-ignore: decorator
  @inline u16(v: u16): void {
    this.put<u16>(v);
  }

  // @ts-ignore: decorator
  @inline u32(v: u32): void {
    this.put<u32>(v);
  }

  // @ts-ignore: decorator
  @inline u64(v: u64): void {
    this.put<u64>(v);
  }

  /** Appends `s` as a `L` (u16 or u32) byte length + UTF-8; returns that length. */
  prefixedUtf8<L>(s: string): usize {
    const at = this.length;
    this.put<L>(<L>0);
    const n = this.utf8(s);
    store<L>(this.base + at, <L>n);
    return n;
  }

  /** Appends `s` as u32 length + UTF-8 (the ABI's parameter and label encoding). */
  lenUtf8(s: string): void {
    this.prefixedUtf8<u32>(s);
  }
}
