// Encoders for what the host hands a SmartModule, in Fluvio's protocol encoding
// (big-endian fixed-width integers, bool = 1 byte, String = u16 length + UTF-8,
// Vec<u8> = u32 length + bytes, Option = bool byte + value, BTreeMap = u16 count + sorted pairs).
//
// SmartModuleInput at version v (fluvio-smartmodule/src/input.rs):
//   base_offset     i64
//   raw_bytes       u32 length + records section (u32 count + records, Fluvio's Vec<Record>)
//   params          SmartModuleExtraParams            only v <= 22
//   join_record     u32 length + bytes (always empty) only 16 <= v <= 22
//   base_timestamp  i64                               only v >= 22
// SmartModuleAggregateInput = SmartModuleInput + accumulator (u32 length + bytes).
// SmartModuleInitInput      = SmartModuleExtraParams.
// SmartModuleExtraParams    = BTreeMap<String,String>, then (v >= 20) Option<Lookback>,
// Lookback                  = last u64, then (v >= 21) age Option<Duration { secs u64, nanos u32 }>.
//
// Records inside raw_bytes are Fluvio's `Record` encoding, identical at every version:
// varint length, attributes i8, varint timestamp_delta, varint offset_delta,
// key Option<RecordData> (bool byte, then varint length + bytes), value (varint length + bytes),
// varint header count. Fluvio reads the header count as a plain varint and decodes no
// header entries, so records must carry 0 headers for a Fluvio-built module to read them.
// The stored records section is exactly this layout, so it is handed over byte for byte.
import {
  SMARTMODULE_LAST_PARAMS_VERSION,
  SMARTMODULE_LOOKBACK_AGE_VERSION,
  SMARTMODULE_LOOKBACK_VERSION,
  SMARTMODULE_TIMESTAMPS_VERSION,
} from './abi.ts';
import { copyBytes } from './copy_bytes.ts';

export interface LookbackConfig {
  /** Last N records (0 = none by count). */
  last?: number;
  /** Records younger than this many milliseconds. */
  ageMs?: number;
}

const utf8 = new TextEncoder();

/** Encodes SmartModuleExtraParams (init input; also the deprecated `params` field of old inputs). */
export function encodeExtraParams(
  params: Readonly<Record<string, string>>,
  lookback: LookbackConfig | undefined,
  version: number,
): Uint8Array {
  // BTreeMap order is byte order of the UTF-8 keys
  const pairs = Object.entries(params)
    .map(([k, v]) => [utf8.encode(k), utf8.encode(v)] as const)
    .sort((a, b) => Buffer.compare(a[0], b[0]));
  if (pairs.length > 0xffff) throw new RangeError(`too many params (${pairs.length}, the map holds at most 65535)`);
  let size = 2;
  for (const [k, v] of pairs) {
    if (k.length > 0xffff || v.length > 0xffff) throw new RangeError('a param key or value is longer than 65535 bytes');
    size += 4 + k.length + v.length;
  }
  const withLookback = version >= SMARTMODULE_LOOKBACK_VERSION;
  const withAge = version >= SMARTMODULE_LOOKBACK_AGE_VERSION;
  if (withLookback) size += lookback ? 1 + 8 + (withAge ? (lookback.ageMs !== undefined ? 13 : 1) : 0) : 1;

  const out = new Uint8Array(size);
  const dv = new DataView(out.buffer);
  let pos = 0;
  dv.setUint16(pos, pairs.length);
  pos += 2;
  for (const [k, v] of pairs) {
    dv.setUint16(pos, k.length);
    out.set(k, pos + 2);
    pos += 2 + k.length;
    dv.setUint16(pos, v.length);
    out.set(v, pos + 2);
    pos += 2 + v.length;
  }
  if (withLookback) {
    if (!lookback) {
      out[pos++] = 0;
    } else {
      out[pos++] = 1;
      dv.setBigUint64(pos, BigInt(lookback.last ?? 0));
      pos += 8;
      if (withAge) {
        if (lookback.ageMs === undefined) {
          out[pos++] = 0;
        } else {
          out[pos++] = 1;
          const ms = lookback.ageMs;
          dv.setBigUint64(pos, BigInt(Math.floor(ms / 1000)));
          dv.setUint32(pos + 8, Math.round((ms % 1000) * 1_000_000));
          pos += 12;
        }
      }
    }
  }
  return out;
}

/** Size of SmartModuleInput (plus the accumulator for aggregates) at `version`. */
export function inputSize(version: number, recordsLen: number, extraParamsLen: number, accumulatorLen: number | null): number {
  let size = 8 + 4 + recordsLen;
  if (version <= SMARTMODULE_LAST_PARAMS_VERSION) size += extraParamsLen + 4; // params + empty join_record
  if (version >= SMARTMODULE_TIMESTAMPS_VERSION) size += 8;
  if (accumulatorLen !== null) size += 4 + accumulatorLen;
  return size;
}

/**
 * Writes SmartModuleInput at `ptr` in `mem` (the guest's memory). The records are
 * copied straight from `records` (the stored section, or the previous module's output).
 */
export function writeInput(
  mem: Uint8Array,
  dv: DataView,
  ptr: number,
  version: number,
  baseOffset: bigint,
  baseTimestamp: bigint,
  records: Uint8Array,
  extraParams: Uint8Array,
  accumulator: Uint8Array | null,
): number {
  let pos = ptr;
  dv.setBigInt64(pos, baseOffset);
  dv.setUint32(pos + 8, records.length);
  copyBytes(records, mem, pos + 12);
  pos += 12 + records.length;
  if (version <= SMARTMODULE_LAST_PARAMS_VERSION) {
    mem.set(extraParams, pos);
    pos += extraParams.length;
    dv.setUint32(pos, 0); // join_record: always empty
    pos += 4;
  }
  if (version >= SMARTMODULE_TIMESTAMPS_VERSION) {
    dv.setBigInt64(pos, baseTimestamp);
    pos += 8;
  }
  if (accumulator !== null) {
    dv.setUint32(pos, accumulator.length);
    copyBytes(accumulator, mem, pos + 4);
    pos += 4 + accumulator.length;
  }
  return pos - ptr;
}
