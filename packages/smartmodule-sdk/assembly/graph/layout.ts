// The message layout of ABI.md as inline accessors over a header address: the low-level API
// (no objects, no copies) that Message, the runners and hand-written entry points share.
//
//   0 u32 size | 4 u32 payload length | 8 timestamp (16) | 24 u8 kind | 25 u8 reserved
//   26 u16 topic length | 28 u16 content-type length | 30 u16 property count
//   32 topic, content type, payload, then count × (u16 key length, key, u32 value length, value)

export const HEADER_SIZE: usize = 32;
/** `kind`: raw bytes (payload only). */
export const KIND_RAW: u8 = 0;
/** `kind`: a message with topic, content type and properties. */
export const KIND_MESSAGE: u8 = 1;
/** `kind`: a snapshot (image frame): content type = format, payload = u32 width, u32 height, frame. */
export const KIND_SNAPSHOT: u8 = 2;
/** A snapshot's payload starts with its width and height (u32 each). */
export const SNAPSHOT_PREFIX: usize = 8;

// @ts-ignore: decorator
@inline export function msgSize(p: usize): u32 { return load<u32>(p); }
// @ts-ignore: decorator
@inline export function msgPayloadLength(p: usize): u32 { return load<u32>(p, 4); }
// @ts-ignore: decorator
@inline export function msgTimestampPtr(p: usize): usize { return p + 8; }
// @ts-ignore: decorator
@inline export function msgPhysical(p: usize): u64 { return load<u64>(p, 8); }
// @ts-ignore: decorator
@inline export function msgKind(p: usize): u8 { return load<u8>(p, 24); }
// @ts-ignore: decorator
@inline export function msgTopicLength(p: usize): u32 { return <u32>load<u16>(p, 26); }
// @ts-ignore: decorator
@inline export function msgContentTypeLength(p: usize): u32 { return <u32>load<u16>(p, 28); }
// @ts-ignore: decorator
@inline export function msgPropertyCount(p: usize): u32 { return <u32>load<u16>(p, 30); }
// @ts-ignore: decorator
@inline export function msgTopicPtr(p: usize): usize { return p + HEADER_SIZE; }
// @ts-ignore: decorator
@inline export function msgContentTypePtr(p: usize): usize { return p + HEADER_SIZE + <usize>load<u16>(p, 26); }
// @ts-ignore: decorator
@inline export function msgPayloadPtr(p: usize): usize {
  return p + HEADER_SIZE + <usize>load<u16>(p, 26) + <usize>load<u16>(p, 28);
}
/** Start of the property list (right after the payload). */
// @ts-ignore: decorator
@inline export function msgPropertiesPtr(p: usize): usize { return msgPayloadPtr(p) + <usize>load<u32>(p, 4); }
/** Bytes of the property list. */
// @ts-ignore: decorator
@inline export function msgPropertiesLength(p: usize): usize { return p + <usize>load<u32>(p) - msgPropertiesPtr(p); }

/** First message of a batch at `batch` (after the u32 count). */
// @ts-ignore: decorator
@inline export function batchCount(batch: usize): u32 { return load<u32>(batch); }
// @ts-ignore: decorator
@inline export function batchFirst(batch: usize): usize { return batch + 4; }
/** The message after the one at `p`. */
// @ts-ignore: decorator
@inline export function nextMessage(p: usize): usize { return p + <usize>load<u32>(p); }

/**
 * Checks a batch [ptr, ptr + len): every message inside it, sizes consistent, property list
 * well formed. Returns the count, or -1 when malformed (the entry point then fails the call).
 */
export function checkBatch(ptr: usize, len: usize): i32 {
  if (len < 4) return -1;
  const count = load<u32>(ptr);
  const end = ptr + len;
  let p = ptr + 4;
  for (let i: u32 = 0; i < count; i++) {
    if (end - p < HEADER_SIZE) return -1;
    const size = <usize>load<u32>(p);
    if (size < HEADER_SIZE || size > end - p) return -1;
    const fixed = HEADER_SIZE + <usize>load<u16>(p, 26) + <usize>load<u16>(p, 28) + <usize>load<u32>(p, 4);
    if (fixed > size) return -1;
    // property list: exactly `count` entries filling the rest of the message
    let q = p + fixed;
    const msgEnd = p + size;
    const props = <u32>load<u16>(p, 30);
    for (let j: u32 = 0; j < props; j++) {
      if (msgEnd - q < 2) return -1;
      const k = <usize>load<u16>(q);
      if (msgEnd - q - 2 < k + 4) return -1;
      q += 2 + k;
      const v = <usize>load<u32>(q);
      if (msgEnd - q - 4 < v) return -1;
      q += 4 + v;
    }
    if (q != msgEnd) return -1;
    p = msgEnd;
  }
  return p == end && count <= <u32>i32.MAX_VALUE ? <i32>count : -1;
}
