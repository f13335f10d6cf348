// Drops odd numbers: keeps records whose value is an even integer (Fluvio's filter_odd).
// A value that is not an integer is an error for that record.
import { SmartModuleRecord, runFilter } from "@eddy/smartmodule-sdk";
export { alloc, dealloc } from "@eddy/smartmodule-sdk";

function isEven(record: SmartModuleRecord): bool {
  return record.valueInt() % 2 == 0; // valueInt() calls fail(..) on non-integers
}

export function filter(ptr: i32, len: i32, version: i32): i32 {
  return runFilter(ptr, len, version, isEven);
}
