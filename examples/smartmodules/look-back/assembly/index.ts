// Keeps a record only when its integer value is greater than the last value let through.
// look_back primes that value from the stream's history (e.g. `--lookback-last 1`), so a
// restarted consumer keeps going where it left off (Fluvio's filter_look_back).
import { SmartModuleRecord, runFilter, runLookBack } from "@eddy/smartmodule-sdk";
export { alloc, dealloc } from "@eddy/smartmodule-sdk";

let last: i64 = i64.MIN_VALUE;

function remember(record: SmartModuleRecord): void {
  last = record.valueInt(); // fails look-back on non-integers
}

function greaterThanLast(record: SmartModuleRecord): bool {
  const value = record.valueInt();
  if (value <= last) return false;
  last = value;
  return true;
}

export function look_back(ptr: i32, len: i32, version: i32): i32 {
  return runLookBack(ptr, len, version, remember);
}

export function filter(ptr: i32, len: i32, version: i32): i32 {
  return runFilter(ptr, len, version, greaterThanLast);
}
