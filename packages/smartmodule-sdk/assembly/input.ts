// Decoding SmartModuleInput (fluvio-smartmodule input.rs) and the records inside it.
//
//   base_offset     i64
//   raw_bytes       u32 length + records: u32 count + records
//   params          SmartModuleExtraParams              versions <= 22
//   join_record     u32 length + bytes                  versions 16..=22
//   base_timestamp  i64                                 versions >= 22
//   accumulator     u32 length + bytes                  aggregate only (SmartModuleAggregateInput)
//
// Record: varint length, attributes i8, varint timestamp_delta, varint offset_delta,
// key (bool byte, then varint length + bytes), value (varint length + bytes), varint header
// count. Any header entries lie before the end the length gives, and are skipped.
import { Cursor, varintAt, varintEnd } from "./cursor";
import {
  STATUS_DECODING_BASE_INPUT, STATUS_DECODING_RECORDS, STATUS_PARSING_EXTRA_PARAMS,
  VERSION_JOIN_RECORD, VERSION_LAST_PARAMS, VERSION_TIMESTAMPS,
} from "./abi";
import { decodeParams, setInputParams } from "./params";
import { SmartModuleRecord } from "./record";

const cursor = new Cursor();

/** Fields of the current input (SDK internal). */
export let baseOffset: i64 = 0;
export let baseTimestamp: i64 = 0;
export let recordsPtr: usize = 0;
export let recordsEnd: usize = 0;
export let accumulatorPtr: usize = 0;
export let accumulatorLength: i32 = 0;

/** Decodes the input at [ptr, ptr + len); returns 0 or a negative status code. */
export function decodeInput(ptr: usize, len: usize, version: i32, aggregate: bool): i32 {
  const c = cursor;
  c.reset(ptr, ptr + len);
  baseOffset = c.i64();
  const rawLength = <usize>c.u32();
  if (c.short(rawLength)) return STATUS_DECODING_BASE_INPUT;
  recordsPtr = c.pos;
  recordsEnd = c.pos + rawLength;
  c.pos += rawLength;
  if (version <= VERSION_LAST_PARAMS) {
    const p = decodeParams(c, version);
    if (p === null) return STATUS_PARSING_EXTRA_PARAMS;
    setInputParams(p);
    if (version >= VERSION_JOIN_RECORD) c.skip(<usize>c.u32());
  }
  baseTimestamp = version >= VERSION_TIMESTAMPS ? c.i64() : 0;
  if (aggregate) {
    accumulatorLength = <i32>c.u32();
    if (c.short(<usize>accumulatorLength)) return STATUS_DECODING_BASE_INPUT;
    accumulatorPtr = c.pos;
    c.pos += <usize>accumulatorLength;
  }
  return c.failed ? STATUS_DECODING_BASE_INPUT : 0;
}

/** Walks the records section, pointing one reused SmartModuleRecord at each record in turn. */
// @ts-ignore: decorator
@unmanaged
export class RecordReader {
  /** Raw bytes of the current record, length prefix included. */
  rawStart: usize = 0;
  rawEnd: usize = 0;
  /** Attributes, timestamp delta and offset delta as encoded (reused when re-encoding). */
  preambleStart: usize = 0;
  preambleEnd: usize = 0;
  count: i32 = 0;
  private c: Cursor = new Cursor();
  private record: SmartModuleRecord | null = null;

  /**
   * Starts at the records section [ptr, end) and checks that `count` records are framed
   * there (each record's length fits), so a truncated batch fails before any record reaches
   * the author's function. Fields inside a record are checked as it is read (next()).
   * Returns 0 or STATUS_DECODING_RECORDS.
   */
  begin(ptr: usize, end: usize, record: SmartModuleRecord): i32 {
    this.record = record;
    const c = this.c;
    c.reset(ptr, end);
    const count = c.u32();
    if (c.failed || count > <u32>(end - ptr)) return STATUS_DECODING_RECORDS;
    const first = c.pos;
    // positions in locals: see varintAt
    let p = first;
    for (let i: u32 = 0; i < count; i++) {
      const length = varintAt(p, end);
      p = varintEnd;
      if (p == 0 || length < 0 || <u64>length > <u64>(end - p)) return STATUS_DECODING_RECORDS;
      p += <usize>length;
    }
    this.count = <i32>count;
    return 0;
  }

  /** Moves to the next record; false (STATUS_DECODING_RECORDS) when its fields are malformed. */
  next(): bool {
    const c = this.c;
    const start = c.pos;
    const length = varintAt(start, c.end);
    let p = varintEnd;
    if (p == 0 || length < 0 || <u64>length > <u64>(c.end - p)) return this.bad();
    // every field lies inside the record: reads stop at its end
    const end = p + <usize>length;
    const preambleStart = p;
    if (p >= end) return this.bad();
    p += 1; // attributes
    const timestampDelta = varintAt(p, end);
    p = varintEnd;
    if (p == 0) return this.bad();
    const offsetDelta = varintAt(p, end);
    p = varintEnd;
    if (p == 0 || p >= end) return this.bad();
    const preambleEnd = p;
    let keyPtr: usize = 0;
    let keyLength: i32 = -1;
    const hasKey = load<u8>(p);
    p += 1;
    if (hasKey > 1) return this.bad();
    if (hasKey == 1) {
      const n = varintAt(p, end);
      p = varintEnd;
      if (p == 0 || n < 0 || <u64>n > <u64>(end - p)) return this.bad();
      keyPtr = p;
      keyLength = <i32>n;
      p += <usize>n;
    }
    const valueLength = varintAt(p, end);
    p = varintEnd;
    if (p == 0 || valueLength < 0 || <u64>valueLength > <u64>(end - p)) return this.bad();
    const valuePtr = p;
    p += <usize>valueLength;
    varintAt(p, end); // header count; entries (if any) end at `end`
    if (varintEnd == 0) return this.bad();
    c.pos = end;
    this.rawStart = start;
    this.rawEnd = end;
    this.preambleStart = preambleStart;
    this.preambleEnd = preambleEnd;
    changetype<SmartModuleRecord>(this.record).viewInput(baseOffset + offsetDelta, baseTimestamp + timestampDelta, offsetDelta,
      timestampDelta, keyPtr, keyLength, valuePtr, <i32>valueLength);
    return true;
  }

  private bad(): bool {
    this.c.failed = true;
    return false;
  }
}
