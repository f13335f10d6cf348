/**
 * CRC-32C (Castagnoli), the checksum of record batches. Native (SSE4.2 where available) via
 * @node-rs/crc32.
 */
import { crc32c as nativeCrc32c } from '@node-rs/crc32';

/**
 * CRC-32C of `data`. Pass the previous result as `initial` to continue a checksum over several
 * pieces: `crc32c(b, crc32c(a)) === crc32c(concat(a, b))`.
 */
export function crc32c(data: Uint8Array, initial?: number): number {
  return initial === undefined ? nativeCrc32c(data) : nativeCrc32c(data, initial);
}
