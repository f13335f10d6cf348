// The glue between the ABI entry points and the author's one function. Each run* decodes
// the input, calls the function once per record, and encodes successes plus the first
// error (the record whose function called fail(..)), exactly as fluvio-smartmodule's
// generated code does for #[smartmodule(filter)] and friends.
import {
  KIND_AGGREGATE, KIND_ARRAY_MAP, KIND_FILTER, KIND_FILTER_MAP, KIND_MAP, STATUS_DECODING_RECORDS,
  INIT_STATUS_DECODING_INPUT, INIT_STATUS_INIT_ERROR, LOOKBACK_STATUS_PROPAGATED_ERROR,
} from "./abi";
import { copyBytes } from "./bytes";
import { Cursor } from "./cursor";
import { clearFailure, takeFailure } from "./error";
import { accumulatorLength, accumulatorPtr, decodeInput, RecordReader, recordsEnd, recordsPtr } from "./input";
import {
  beginRecord, beginSuccesses, endRecord, finishSuccesses, flush, out, writeRecordData,
  writeRecordError, writeString,
} from "./output";
import { decodeParams, Params, setInitParams } from "./params";
import { SmartModuleRecord } from "./record";
import { ACTIVE_INIT, ACTIVE_LOOK_BACK, ACTIVE_NONE, setAbortReporter, setActive } from "./abort";

const reader = new RecordReader();
// The record lent to the author's function, reused for every input record.
const current = new SmartModuleRecord();

// Progress of the running call, for abortOutput().
let activeCount: i32 = 0;
/** Aggregate: where the latest accumulator sits in the output (-1: the input one). */
let activeAccFrom: isize = -1;
let activeAccLength: i32 = 0;
let activeVersion: i32 = 0;

/** Writes and hands over the output for an abort during `kind` (see abort.ts). */
function abortOutput(kind: i32, hint: string): void {
  if (kind == ACTIVE_INIT) {
    out.clear();
    writeString(hint);
  } else if (kind == ACTIVE_LOOK_BACK) {
    out.clear();
    writeRecordError(hint, current, -1);
  } else {
    out.u8(1);
    writeRecordError(hint, current, <u8>kind);
    finishSuccesses(activeCount);
    if (kind == <i32>KIND_AGGREGATE) writeAccumulator();
  }
  flush(false); // no collection: an abort may come from inside the allocator
}

setAbortReporter(abortOutput);

function begin(ptr: i32, len: i32, version: i32, kind: i32, aggregate: bool): i32 {
  clearFailure();
  setActive(ACTIVE_NONE);
  const status = decodeInput(<usize>ptr, <usize>len, version, aggregate);
  if (status < 0) return status;
  const s = reader.begin(recordsPtr, recordsEnd, current);
  if (s < 0) return s;
  setActive(kind);
  activeCount = 0;
  activeVersion = version;
  beginSuccesses();
  return 0;
}

/** A record inside the batch does not decode: the call fails with -22, as Fluvio's does. */
function badRecord(): i32 {
  setActive(ACTIVE_NONE);
  clearFailure();
  return STATUS_DECODING_RECORDS;
}

/** Writes the error option (with `hint` or none), the count, and hands the output over. */
function end(hint: string | null, kind: u8, count: i32): i32 {
  if (hint === null) {
    out.u8(0);
  } else {
    out.u8(1);
    writeRecordError(hint, current, kind);
  }
  finishSuccesses(count);
  setActive(ACTIVE_NONE);
  flush();
  return count;
}

/** `filter` entry point: keeps the records for which `fn` returns true. */
export function runFilter(ptr: i32, len: i32, version: i32, fn: (record: SmartModuleRecord) => bool): i32 {
  const s = begin(ptr, len, version, KIND_FILTER, false);
  if (s < 0) return s;
  const r = current;
  let kept = 0;
  for (let i = 0, n = reader.count; i < n; i++) {
    if (!reader.next()) return badRecord();
    const keep = fn(r);
    const hint = takeFailure();
    if (changetype<usize>(hint) != 0) return end(hint, KIND_FILTER, kept);
    if (keep) {
      // a kept record leaves exactly as it came
      out.bytes(reader.rawStart, reader.rawEnd - reader.rawStart);
      activeCount = ++kept;
    }
  }
  return end(null, KIND_FILTER, kept);
}

/** `map` entry point: replaces each record's key and value with those `fn` returns. */
export function runMap(ptr: i32, len: i32, version: i32,
                       fn: (record: SmartModuleRecord) => SmartModuleRecord): i32 {
  const s = begin(ptr, len, version, KIND_MAP, false);
  if (s < 0) return s;
  const r = current;
  let count = 0;
  for (let i = 0, n = reader.count; i < n; i++) {
    if (!reader.next()) return badRecord();
    const mapped = fn(r);
    const hint = takeFailure();
    if (changetype<usize>(hint) != 0) return end(hint, KIND_MAP, count);
    writeRecordData(reader.preambleStart, reader.preambleEnd - reader.preambleStart, mapped);
    activeCount = ++count;
  }
  return end(null, KIND_MAP, count);
}

/** `filter_map` entry point: like map, and a null result drops the record. */
export function runFilterMap(ptr: i32, len: i32, version: i32,
                             fn: (record: SmartModuleRecord) => SmartModuleRecord | null): i32 {
  const s = begin(ptr, len, version, KIND_FILTER_MAP, false);
  if (s < 0) return s;
  const r = current;
  let count = 0;
  for (let i = 0, n = reader.count; i < n; i++) {
    if (!reader.next()) return badRecord();
    const mapped = fn(r);
    const hint = takeFailure();
    if (changetype<usize>(hint) != 0) return end(hint, KIND_FILTER_MAP, count);
    if (mapped !== null) {
      writeRecordData(reader.preambleStart, reader.preambleEnd - reader.preambleStart, mapped);
      activeCount = ++count;
    }
  }
  return end(null, KIND_FILTER_MAP, count);
}

/** `array_map` entry point: each record becomes the records `fn` returns (new records). */
export function runArrayMap(ptr: i32, len: i32, version: i32,
                            fn: (record: SmartModuleRecord) => SmartModuleRecord[]): i32 {
  const s = begin(ptr, len, version, KIND_ARRAY_MAP, false);
  if (s < 0) return s;
  const r = current;
  let count = 0;
  for (let i = 0, n = reader.count; i < n; i++) {
    if (!reader.next()) return badRecord();
    const items = fn(r);
    const hint = takeFailure();
    if (changetype<usize>(hint) != 0) return end(hint, KIND_ARRAY_MAP, count);
    for (let j = 0, m = items.length; j < m; j++) {
      // like Fluvio's Record::new_key_value: fresh attributes and deltas
      writeRecordData(0, 0, unchecked(items[j]));
      activeCount = ++count;
    }
  }
  return end(null, KIND_ARRAY_MAP, count);
}

/** Ends an aggregate output: error option, count, then the newest accumulator (v >= 16). */
function endAggregate(hint: string | null, count: i32): i32 {
  if (hint === null) {
    out.u8(0);
  } else {
    out.u8(1);
    writeRecordError(hint, current, KIND_AGGREGATE);
  }
  finishSuccesses(count);
  writeAccumulator();
  setActive(ACTIVE_NONE);
  flush();
  return count;
}

/** SDK internal (also used by the abort handler): the accumulator field of the output. */
export function writeAccumulator(): void {
  if (activeVersion < 16) return;
  if (activeAccFrom < 0) {
    out.u32(<u32>accumulatorLength);
    out.bytes(accumulatorPtr, <usize>accumulatorLength);
  } else {
    out.u32(<u32>activeAccLength);
    out.copyWithin(<usize>activeAccFrom, <usize>activeAccLength);
  }
}

/**
 * `aggregate` entry point with a text accumulator: `fn(accumulator, record)` returns the
 * new accumulator, which is also the value of the record's output.
 */
export function runAggregate(ptr: i32, len: i32, version: i32,
                             fn: (accumulator: string, record: SmartModuleRecord) => string): i32 {
  const s = begin(ptr, len, version, KIND_AGGREGATE, true);
  if (s < 0) return s;
  activeAccFrom = -1;
  const r = current;
  let acc = String.UTF8.decodeUnsafe(accumulatorPtr, <usize>accumulatorLength);
  let count = 0;
  for (let i = 0, n = reader.count; i < n; i++) {
    if (!reader.next()) return badRecord();
    const next = fn(acc, r);
    const hint = takeFailure();
    if (changetype<usize>(hint) != 0) return endAggregate(hint, count);
    acc = next;
    const length = String.UTF8.byteLength(acc);
    beginRecord(reader.preambleStart, reader.preambleEnd - reader.preambleStart, r.keyPtr, r.keyLength, length);
    activeAccFrom = <isize>out.length;
    activeAccLength = length;
    out.utf8(acc);
    endRecord();
    activeCount = ++count;
  }
  return endAggregate(null, count);
}

/** `aggregate` entry point with a byte accumulator. */
export function runAggregateBytes(ptr: i32, len: i32, version: i32,
                                  fn: (accumulator: Uint8Array, record: SmartModuleRecord) => Uint8Array): i32 {
  const s = begin(ptr, len, version, KIND_AGGREGATE, true);
  if (s < 0) return s;
  activeAccFrom = -1;
  const r = current;
  let acc = copyBytes(accumulatorPtr, accumulatorLength);
  let count = 0;
  for (let i = 0, n = reader.count; i < n; i++) {
    if (!reader.next()) return badRecord();
    const next = fn(acc, r);
    const hint = takeFailure();
    if (changetype<usize>(hint) != 0) return endAggregate(hint, count);
    acc = next;
    beginRecord(reader.preambleStart, reader.preambleEnd - reader.preambleStart, r.keyPtr, r.keyLength, acc.length);
    activeAccFrom = <isize>out.length;
    activeAccLength = acc.length;
    out.bytes(acc.dataStart, <usize>acc.length);
    endRecord();
    activeCount = ++count;
  }
  return endAggregate(null, count);
}

const initCursor = new Cursor();

/**
 * `init` entry point: decodes the parameters, keeps them for params(), and calls `fn`
 * (if any), which may refuse them with fail(hint). Returns 0, -2 (refused, the hint is
 * written with copy_records) or -10 (undecodable input).
 */
export function runInit(ptr: i32, len: i32, version: i32, fn: ((params: Params) => void) | null = null): i32 {
  clearFailure();
  initCursor.reset(<usize>ptr, <usize>ptr + <usize>len);
  const p = decodeParams(initCursor, version);
  if (p === null) return INIT_STATUS_DECODING_INPUT;
  setInitParams(p);
  if (fn === null) return 0;
  setActive(ACTIVE_INIT);
  fn(p);
  setActive(ACTIVE_NONE);
  const hint = takeFailure();
  if (hint === null) return 0;
  out.clear();
  writeString(hint);
  flush();
  return INIT_STATUS_INIT_ERROR;
}

/**
 * `look_back` entry point: feeds the host's history records (oldest first) to `fn` before
 * streaming starts. A fail(hint) stops it: the error is written with copy_records and the
 * call returns -10 (PropagatedError).
 */
export function runLookBack(ptr: i32, len: i32, version: i32, fn: (record: SmartModuleRecord) => void): i32 {
  const s = begin(ptr, len, version, ACTIVE_LOOK_BACK, false);
  if (s < 0) return s;
  const r = current;
  for (let i = 0, n = reader.count; i < n; i++) {
    if (!reader.next()) return badRecord();
    fn(r);
    const hint = takeFailure();
    if (hint !== null) {
      out.clear();
      writeRecordError(hint, r, -1);
      setActive(ACTIVE_NONE);
      flush();
      return LOOKBACK_STATUS_PROPAGATED_ERROR;
    }
  }
  setActive(ACTIVE_NONE);
  return 0;
}
