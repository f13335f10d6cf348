// One record re-encoded with new timestamp and offset deltas; its tail (key, value and headers)
// is copied byte for byte. Shared by sectionFrom and the broker's look-back and produce-side
// rewrites, so the record preamble is written in one place. Nothing is allocated.

import { readVarint32, readVarint64, varint32Size, varint64Size, writeVarint32, writeVarint64 } from './varint.ts';
import type { Cursor } from './varint.ts';

/**
 * Where the tail of the record at `start` begins: after its length, attributes and the two
 * deltas, at the key's length varint. Moves `cur` there.
 */
export function recordTailStart(section: Buffer, start: number, cur: Cursor): number {
  cur.pos = start;
  readVarint32(section, cur); // length
  cur.pos++; // attributes
  readVarint64(section, cur); // timestamp delta
  readVarint64(section, cur); // offset delta
  return cur.pos;
}

function bodySize(tailStart: number, end: number, timestampDelta: number, offsetDelta: number): number {
  return 1 + varint64Size(timestampDelta) + varint64Size(offsetDelta) + (end - tailStart);
}

/** Bytes of the rebased record, its length varint included; the tail is [tailStart, end). */
export function rebasedRecordSize(tailStart: number, end: number, timestampDelta: number, offsetDelta: number): number {
  const body = bodySize(tailStart, end, timestampDelta, offsetDelta);
  return varint32Size(body) + body;
}

/**
 * Writes at `out[at]` a record with `attributes`, the given deltas and the tail
 * `section[tailStart, end)`. Returns the position after it.
 */
export function writeRebasedRecord(
  out: Buffer, at: number, section: Buffer, tailStart: number, end: number,
  attributes: number, timestampDelta: number, offsetDelta: number,
): number {
  at = writeVarint32(out, at, bodySize(tailStart, end, timestampDelta, offsetDelta));
  out[at++] = attributes;
  at = writeVarint64(out, at, timestampDelta);
  at = writeVarint64(out, at, offsetDelta);
  return at + section.copy(out, at, tailStart, end);
}
