// Zigzag LEB128 varints (Kafka/Fluvio record encoding) over plain byte arrays.
// Values are JS numbers: exact up to 2^53, which covers every length and delta we meet.

/**
 * Records that do not frame, as the engine reads them (its own varints, not @eddy/protocol's,
 * which the sandbox worker does not load): named for the layer, apart from protocol's VarintError.
 */
export class EngineVarintError extends RangeError {
  override name = 'EngineVarintError';
}

/** Reads the varint at `pos`; returns the decoded value and leaves the end position in `out.pos`. */
export function readVarint(buf: Uint8Array, pos: number, out: { pos: number }): number {
  let raw = 0;
  let mul = 1;
  for (let i = 0; i < 10; i++) {
    if (pos >= buf.length) throw new EngineVarintError('varint runs past the end of the buffer');
    const b = buf[pos++];
    raw += (b & 0x7f) * mul;
    if (b < 0x80) {
      out.pos = pos;
      // zigzag: even -> +n/2, odd -> -(n+1)/2 (arithmetic, so values above 2^31 stay exact)
      return raw % 2 === 0 ? raw / 2 : -(raw + 1) / 2;
    }
    mul *= 128;
  }
  throw new EngineVarintError('varint is longer than 10 bytes');
}

/** Bytes needed to encode `value` as a zigzag varint. */
export function varintSize(value: number): number {
  let raw = value >= 0 ? value * 2 : -value * 2 - 1;
  let size = 1;
  while (raw >= 128) {
    raw = Math.floor(raw / 128);
    size++;
  }
  return size;
}

/** Writes `value` as a zigzag varint at `pos`; returns the position after it. */
export function writeVarint(buf: Uint8Array, pos: number, value: number): number {
  let raw = value >= 0 ? value * 2 : -value * 2 - 1;
  while (raw >= 128) {
    buf[pos++] = (raw % 128) | 0x80;
    raw = Math.floor(raw / 128);
  }
  buf[pos++] = raw;
  return pos;
}

/** Largest timestamp and offset deltas among the records walked. */
export interface RecordMaxima {
  maxTimestampDelta: number;
  maxOffsetDelta: number;
}

const cursor = { pos: 0 };

/**
 * Walks a records section body (the records after the u32 count) and returns the position just
 * past `count` records, reading each record's length and the two deltas of its preamble
 * (one- and two-byte varints inline: lengths of records up to 8 KiB, small deltas). Puts the
 * largest deltas in `maxima` (timestamp 0 and offset -1 when there are no records). Throws
 * EngineVarintError when the records do not frame: missing, too short to be a record, running past
 * `end`, or a preamble longer than its record.
 */
export function walkRecords(buf: Uint8Array, pos: number, count: number, end: number, maxima: RecordMaxima): number {
  let maxTs = count === 0 ? 0 : -Infinity;
  let maxOd = -1;
  for (let i = 0; i < count; i++) {
    if (pos >= end) throw new EngineVarintError(`record ${i} of ${count} is missing`);
    let raw = buf[pos];
    let len: number;
    if (raw < 0x80) {
      len = raw;
      pos += 1;
    } else if (pos + 1 < end && buf[pos + 1] < 0x80) {
      len = (raw & 0x7f) | (buf[pos + 1] << 7);
      pos += 2;
    } else {
      len = -1; // decoded below
    }
    if (len >= 0) {
      if (len & 1) throw new EngineVarintError(`record ${i} of ${count} has a negative length`);
      len >>>= 1;
    } else {
      len = readVarint(buf, pos, cursor);
      if (len < 0) throw new EngineVarintError(`record ${i} of ${count} has a negative length`);
      pos = cursor.pos;
    }
    const recordEnd = pos + len;
    if (recordEnd > end) throw new EngineVarintError(`record ${i} of ${count} runs past the end of the output`);
    if (len < 6) throw new EngineVarintError(`record ${i} of ${count} is ${len} bytes, too short for a record`);
    let p = pos + 1; // attributes
    let td: number;
    raw = buf[p];
    if (raw < 0x80) {
      td = (raw >>> 1) ^ -(raw & 1);
      p += 1;
    } else if (buf[p + 1] < 0x80) {
      raw = (raw & 0x7f) | (buf[p + 1] << 7);
      td = (raw >>> 1) ^ -(raw & 1);
      p += 2;
    } else {
      td = readVarint(buf, p, cursor);
      p = cursor.pos;
    }
    let od: number;
    raw = buf[p];
    if (raw < 0x80) {
      od = (raw >>> 1) ^ -(raw & 1);
      p += 1;
    } else if (buf[p + 1] < 0x80) {
      raw = (raw & 0x7f) | (buf[p + 1] << 7);
      od = (raw >>> 1) ^ -(raw & 1);
      p += 2;
    } else {
      od = readVarint(buf, p, cursor);
      p = cursor.pos;
    }
    if (p > recordEnd) throw new EngineVarintError(`record ${i} of ${count}: its preamble runs past its length`);
    if (td > maxTs) maxTs = td;
    if (od > maxOd) maxOd = od;
    pos = recordEnd;
  }
  maxima.maxTimestampDelta = maxTs;
  maxima.maxOffsetDelta = maxOd;
  return pos;
}
