// Drops odd numbers and halves even ones (Fluvio's filter_map example).
import { SmartModuleRecord, runFilterMap } from "@eddy/smartmodule-sdk";
export { alloc, dealloc } from "@eddy/smartmodule-sdk";

function halveEvens(record: SmartModuleRecord): SmartModuleRecord | null {
  const n = record.valueInt(); // fails the record on non-integers
  if (n % 2 != 0) return null;
  return record.withValue((n / 2).toString());
}

export function filter_map(ptr: i32, len: i32, version: i32): i32 {
  return runFilterMap(ptr, len, version, halveEvens);
}
