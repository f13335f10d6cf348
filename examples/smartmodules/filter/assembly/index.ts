// Keeps the records whose value contains the letter "a" (Fluvio's filter example).
import { SmartModuleRecord, runFilter } from "@eddy/smartmodule-sdk";
export { alloc, dealloc } from "@eddy/smartmodule-sdk";

function containsA(record: SmartModuleRecord): bool {
  return record.valueContains("a");
}

export function filter(ptr: i32, len: i32, version: i32): i32 {
  return runFilter(ptr, len, version, containsA);
}
