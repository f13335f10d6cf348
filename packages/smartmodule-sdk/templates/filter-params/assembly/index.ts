// {{project-name}}: a filter SmartModule with a parameter. Keeps the records whose value
// contains the `key` parameter (`-e key=...`; "a" when not given).
import { Params, SmartModuleRecord, runFilter, runInit } from "@eddy/smartmodule-sdk";
export { alloc, dealloc } from "@eddy/smartmodule-sdk";

let key: string = "a";

// Runs once with the parameters; call fail("why") to refuse them.
function setup(params: Params): void {
  key = params.getOr("key", "a");
}

// Your code: return true to keep the record. Call fail("why") to stop with an error.
function keep(record: SmartModuleRecord): bool {
  return record.valueContains(key);
}

// The ABI entry points; leave as they are.
export function init(ptr: i32, len: i32, version: i32): i32 {
  return runInit(ptr, len, version, setup);
}

export function filter(ptr: i32, len: i32, version: i32): i32 {
  return runFilter(ptr, len, version, keep);
}
