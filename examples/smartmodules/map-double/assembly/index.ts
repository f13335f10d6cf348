// Reads each value as an integer and doubles it, keeping the key (Fluvio's map_double).
import { SmartModuleRecord, runMap } from "@eddy/smartmodule-sdk";
export { alloc, dealloc } from "@eddy/smartmodule-sdk";

function double(record: SmartModuleRecord): SmartModuleRecord {
  const n = record.valueInt(); // fails the record on non-integers
  return record.withValue((n * 2).toString());
}

export function map(ptr: i32, len: i32, version: i32): i32 {
  return runMap(ptr, len, version, double);
}
