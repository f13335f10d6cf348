// {{project-name}}: a filter SmartModule. Keeps the records whose value contains "a".
import { SmartModuleRecord, runFilter } from "@eddy/smartmodule-sdk";
export { alloc, dealloc } from "@eddy/smartmodule-sdk";

// Your code: return true to keep the record. Call fail("why") to stop with an error.
function keep(record: SmartModuleRecord): bool {
  return record.valueContains("a");
}

// The ABI entry point; leave as is.
export function filter(ptr: i32, len: i32, version: i32): i32 {
  return runFilter(ptr, len, version, keep);
}
