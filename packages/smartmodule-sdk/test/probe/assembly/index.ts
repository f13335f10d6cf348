// A test module exercising every SDK entry point. Tests call its exports directly.
import {
  JsonValue, Params, SmartModuleRecord, fail, formatFloat, jsonError, params, parseFloatBytes, parseIntBytes,
  parseOk, runAggregate, runAggregateBytes, runArrayMap, runFilter, runFilterMap, runInit, runLookBack, runMap,
  parseJsonBytes,
} from "@eddy/smartmodule-sdk";
export { alloc, dealloc } from "@eddy/smartmodule-sdk";
import { indexOfBytes } from "@eddy/smartmodule-sdk/assembly/bytes";

// value "drop" is dropped, "fail" fails, "throw" aborts, anything else is kept
function probeFilter(r: SmartModuleRecord): bool {
  if (r.valueEquals("fail")) fail("failed on purpose");
  if (r.valueEquals("throw")) throw new Error("thrown on purpose");
  return !r.valueEquals("drop");
}
export function filter(ptr: i32, len: i32, version: i32): i32 { return runFilter(ptr, len, version, probeFilter); }

function identity(r: SmartModuleRecord): SmartModuleRecord { return r; }
export function map(ptr: i32, len: i32, version: i32): i32 { return runMap(ptr, len, version, identity); }

// "offset timestamp offsetDelta timestampDelta" of each record
function meta(r: SmartModuleRecord): SmartModuleRecord {
  return r.withValue(r.offset.toString() + " " + r.timestamp.toString() + " " + r.offsetDelta.toString() + " " + r.timestampDelta.toString());
}
export function map_meta(ptr: i32, len: i32, version: i32): i32 { return runMap(ptr, len, version, meta); }

// value parsed as JSON and written back compactly
function jsonRoundTrip(r: SmartModuleRecord): SmartModuleRecord {
  const v = parseJsonBytes(r.valuePtr, r.valueLength);
  if (v === null) {
    fail(jsonError());
    return r;
  }
  return r.withJson(v);
}
export function map_json(ptr: i32, len: i32, version: i32): i32 { return runMap(ptr, len, version, jsonRoundTrip); }

// value parsed as an integer, written back (or the error)
function intRoundTrip(r: SmartModuleRecord): SmartModuleRecord {
  const v = parseIntBytes(r.valuePtr, r.valueLength);
  return r.withValue(parseOk() ? v.toString() : "ERR");
}
export function map_int(ptr: i32, len: i32, version: i32): i32 { return runMap(ptr, len, version, intRoundTrip); }

function floatRoundTrip(r: SmartModuleRecord): SmartModuleRecord {
  const v = parseFloatBytes(r.valuePtr, r.valueLength);
  return r.withValue(parseOk() ? formatFloat(v) : "ERR");
}
export function map_float(ptr: i32, len: i32, version: i32): i32 { return runMap(ptr, len, version, floatRoundTrip); }

// the instance's params as a JSON object (plus lookback fields)
function paramsJson(r: SmartModuleRecord): SmartModuleRecord {
  const p = params();
  const o = JsonValue.object();
  const keys = p.keys();
  for (let i = 0; i < keys.length; i++) o.setString(keys[i], p.get(keys[i])!);
  o.setInteger("$last", p.lookbackLast).setInteger("$ageMs", p.lookbackAgeMs);
  return r.withJson(o);
}
export function map_params(ptr: i32, len: i32, version: i32): i32 { return runMap(ptr, len, version, paramsJson); }

// key/value helpers: "<hasKey> <key> <valueLength> <startsWith ab> <contains xy>"
function views(r: SmartModuleRecord): SmartModuleRecord {
  const key = r.keyString();
  const bytes = r.valueBytes();
  let sum: u32 = 0;
  for (let i = 0; i < bytes.length; i++) sum += bytes[i];
  return SmartModuleRecord.of(
    (r.hasKey ? "1 " : "0 ") + (key === null ? "-" : key) + " " + r.valueLength.toString() + " " +
    (r.valueStartsWith("ab") ? "1" : "0") + (r.valueContains("xy") ? "1" : "0") + (r.keyEquals("k") ? "1" : "0") +
    " " + sum.toString() + " " + r.valueString().length.toString(),
    key === null ? null : key + "!");
}
export function map_views(ptr: i32, len: i32, version: i32): i32 { return runMap(ptr, len, version, views); }

// records a clone of every record, then returns the previous one (checks clone() survives calls)
let previous: SmartModuleRecord | null = null;
function delayed(r: SmartModuleRecord): SmartModuleRecord {
  const prev = previous;
  previous = r.clone();
  return prev === null ? SmartModuleRecord.of("first") : prev;
}
export function map_delayed(ptr: i32, len: i32, version: i32): i32 { return runMap(ptr, len, version, delayed); }

// even integers halved, odd dropped, bad fails
function halve(r: SmartModuleRecord): SmartModuleRecord | null {
  const n = r.valueInt();
  return n % 2 == 0 ? r.withValue((n / 2).toString()) : null;
}
export function filter_map(ptr: i32, len: i32, version: i32): i32 { return runFilterMap(ptr, len, version, halve); }

// "a,b,c" -> three records keyed by the input key; "fail" fails
function split(r: SmartModuleRecord): SmartModuleRecord[] {
  if (r.valueEquals("fail")) fail("cannot split");
  const parts = r.valueString().split(",");
  const out: SmartModuleRecord[] = [];
  for (let i = 0; i < parts.length; i++) out.push(SmartModuleRecord.of(parts[i], r.keyString()));
  return out;
}
export function array_map(ptr: i32, len: i32, version: i32): i32 { return runArrayMap(ptr, len, version, split); }

// accumulator + "|" + value; "fail" fails
function concat(acc: string, r: SmartModuleRecord): string {
  if (r.valueEquals("fail")) fail("cannot aggregate");
  if (r.valueEquals("throw")) throw new Error("thrown in aggregate");
  return acc + "|" + r.valueString();
}
export function aggregate(ptr: i32, len: i32, version: i32): i32 { return runAggregate(ptr, len, version, concat); }

// byte accumulator: appends the value's first byte
function appendFirst(acc: Uint8Array, r: SmartModuleRecord): Uint8Array {
  const out = new Uint8Array(acc.length + 1);
  out.set(acc);
  out[acc.length] = r.valueByte(0);
  return out;
}
export function aggregate_bytes(ptr: i32, len: i32, version: i32): i32 { return runAggregateBytes(ptr, len, version, appendFirst); }

function setup(p: Params): void {
  if (p.has("refuse")) fail("refused: " + p.get("refuse")!);
  if (p.has("throw")) throw new Error("init threw");
}
export function init(ptr: i32, len: i32, version: i32): i32 { return runInit(ptr, len, version, setup); }
export function init_plain(ptr: i32, len: i32, version: i32): i32 { return runInit(ptr, len, version); }

// look-back: sums integers into a global, failing on non-integers; map_sum reports the sum
let lookSum: i64 = 0;
function look(r: SmartModuleRecord): void {
  lookSum += r.valueInt();
}
export function look_back(ptr: i32, len: i32, version: i32): i32 { return runLookBack(ptr, len, version, look); }
function reportSum(r: SmartModuleRecord): SmartModuleRecord { return r.withValue(lookSum.toString()); }
export function map_sum(ptr: i32, len: i32, version: i32): i32 { return runMap(ptr, len, version, reportSum); }

// the byte search behind valueContains/keyContains (SWAR scan), called directly by a property test
export function index_of(hayPtr: i32, hayLen: i32, needlePtr: i32, needleLen: i32): i32 {
  return indexOfBytes(<usize>hayPtr, hayLen, <usize>needlePtr, needleLen);
}
