// Encoding SmartModuleOutput (fluvio-smartmodule output.rs) into one reusable buffer:
//
//   successes  u32 count + records (Fluvio's Record encoding)
//   error      Option<SmartModuleTransformRuntimeError { hint: String, offset: i64,
//              kind: u8, record_key: Option<RecordData>, record_value: RecordData }>
//   accumulator  u32 length + bytes (SmartModuleAggregateOutput only)
//
// RecordData is a varint length + bytes; String is a u16 length + UTF-8.
import { ByteBuffer } from "./byte_buffer";
import { copy_records } from "./abi";
import { varintSize } from "./cursor";
import { SmartModuleRecord } from "./record";
import { collectAfterOutput } from "./collect";

export const out = new ByteBuffer();

/** Starts a transform output: a placeholder success count. */
export function beginSuccesses(): void {
  out.clear();
  out.u32(0);
}

/** Sets the success count written by beginSuccesses(). */
export function finishSuccesses(count: i32): void {
  out.patchU32(0, <u32>count);
}

/**
 * Appends a record up to (not including) its value bytes: the caller writes exactly
 * `valueLength` bytes next, then calls endRecord(). `preamblePtr/Length` are the
 * attributes + deltas to keep (length 0 = attributes 0, deltas 0).
 */
export function beginRecord(preamblePtr: usize, preambleLength: usize,
                            keyPtr: usize, keyLength: i32, valueLength: i32): void {
  const pre = preambleLength == 0 ? 3 : <i32>preambleLength;
  const keySize = keyLength < 0 ? 1 : 1 + varintSize(keyLength) + keyLength;
  const bodySize = pre + keySize + varintSize(valueLength) + valueLength + 1;
  out.ensure(<usize>(10 + bodySize));
  out.varint(bodySize);
  if (preambleLength == 0) {
    out.u8(0); // attributes
    out.u8(0); // timestamp delta 0
    out.u8(0); // offset delta 0
  } else {
    out.bytes(preamblePtr, preambleLength);
  }
  if (keyLength < 0) {
    out.u8(0);
  } else {
    out.u8(1);
    out.varint(keyLength);
    out.bytes(keyPtr, <usize>keyLength);
  }
  out.varint(valueLength);
}

/** Ends a record begun with beginRecord(): no headers. */
@inline export function endRecord(): void {
  out.u8(0);
}

/** Appends one record with its value bytes. */
export function writeRecord(preamblePtr: usize, preambleLength: usize,
                            keyPtr: usize, keyLength: i32, valuePtr: usize, valueLength: i32): void {
  beginRecord(preamblePtr, preambleLength, keyPtr, keyLength, valueLength);
  out.bytes(valuePtr, <usize>valueLength);
  endRecord();
}

/** Appends `record`'s key and value under a preamble (0 = defaults). */
@inline export function writeRecordData(preamblePtr: usize, preambleLength: usize, record: SmartModuleRecord): void {
  writeRecord(preamblePtr, preambleLength, record.keyPtr, record.keyLength, record.valuePtr, record.valueLength);
}

/** Appends a String: u16 length + UTF-8 (cut to 65535 bytes on a character boundary). */
export function writeString(s: string): void {
  let n = String.UTF8.byteLength(s);
  if (n <= 0xffff) {
    out.u16(<u16>n);
    out.utf8(s);
    return;
  }
  const bytes = String.UTF8.encode(s);
  let cut = 0xffff;
  while (cut > 0 && (load<u8>(changetype<usize>(bytes) + <usize>cut) & 0xc0) == 0x80) cut--;
  out.u16(<u16>cut);
  out.bytes(changetype<usize>(bytes), <usize>cut);
}

/** Appends the record-related error fields: offset, [kind,] key option, value. */
export function writeRecordError(hint: string, record: SmartModuleRecord, kind: i32): void {
  writeString(hint);
  out.i64(record.offset);
  if (kind >= 0) out.u8(<u8>kind);
  if (record.keyLength < 0) {
    out.u8(0);
  } else {
    out.u8(1);
    out.varint(record.keyLength);
    out.bytes(record.keyPtr, <usize>record.keyLength);
  }
  out.varint(record.valueLength);
  out.bytes(record.valuePtr, <usize>record.valueLength);
}

/** Hands the output to the host. */
export function flush(collect: bool = true): void {
  copy_records(<i32>out.base, <i32>out.length);
  if (collect) collectAfterOutput();
}
