// Byte copies that stay fast when either side is a SharedArrayBuffer. V8 copies a typed array
// into or out of shared memory with relaxed-atomic byte moves (TypedArray.prototype.set: about
// 6x slower than memcpy out of a SharedArrayBuffer here), while Buffer's native copy is a plain
// memcpy. It accepts any Uint8Array on both sides.
const nativeCopy = Buffer.prototype.copy as (this: Uint8Array, target: Uint8Array, targetStart: number) => number;

/** Below this, set() beats the native call's fixed cost. */
const NATIVE_FROM = 512;

/** Copies all of `src` into `dst` at `at` (which must have room). */
export function copyBytes(src: Uint8Array, dst: Uint8Array, at: number): void {
  if (src.length < NATIVE_FROM) dst.set(src, at);
  else nativeCopy.call(src, dst, at);
}
