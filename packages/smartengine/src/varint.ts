// Zigzag LEB128 varints (Kafka/Fluvio record encoding) over plain byte arrays.
// Values are JS numbers: exact up to 2^53, which covers every length and delta we meet.

export class VarintError extends RangeError {}

/** Reads the varint at `pos`; returns the decoded value and leaves the end position in `out.pos`. */
export function readVarint(buf: Uint8Array, pos: number, out: { pos: number }): number {
  let raw = 0;
  let mul = 1;
  for (let i = 0; i < 10; i++) {
    if (pos >= buf.length) throw new VarintError('varint runs past the end of the buffer');
    const b = buf[pos++];
    raw += (b & 0x7f) * mul;
    if (b < 0x80) {
      out.pos = pos;
      // zigzag: even -> +n/2, odd -> -(n+1)/2 (arithmetic, so values above 2^31 stay exact)
      return raw % 2 === 0 ? raw / 2 : -(raw + 1) / 2;
    }
    mul *= 128;
  }
  throw new VarintError('varint is longer than 10 bytes');
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

/**
 * Walks a records section body (the records after the u32 count) and returns the
 * position just past `count` records. Each record starts with its varint length,
 * so skipping is one varint read per record.
 */
export function skipRecords(buf: Uint8Array, pos: number, count: number, end: number): number {
  const out = { pos: 0 };
  for (let i = 0; i < count; i++) {
    if (pos >= end) throw new VarintError(`record ${i} of ${count} is missing`);
    // inline fast path for one-byte lengths (records under 64 bytes)
    const b0 = buf[pos];
    let len: number;
    if (b0 < 0x80) {
      len = b0 >>> 1;
      if (b0 & 1) throw new VarintError('negative record length');
      pos += 1;
    } else {
      len = readVarint(buf, pos, out);
      if (len < 0) throw new VarintError('negative record length');
      pos = out.pos;
    }
    pos += len;
    if (pos > end) throw new VarintError(`record ${i} of ${count} runs past the end of the output`);
  }
  return pos;
}
