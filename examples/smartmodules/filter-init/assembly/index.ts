// Keeps records whose value contains the `key` parameter (`-e key=...`); init refuses to
// start without it (Fluvio's filter_init).
import { Params, SmartModuleRecord, fail, runFilter, runInit } from "@eddy/smartmodule-sdk";
export { alloc, dealloc } from "@eddy/smartmodule-sdk";

let criteria: string = "";

function setup(params: Params): void {
  const key = params.get("key");
  if (key === null) {
    fail("missing required parameter \"key\"");
    return;
  }
  criteria = key;
}

function containsCriteria(record: SmartModuleRecord): bool {
  return record.valueContains(criteria);
}

export function init(ptr: i32, len: i32, version: i32): i32 {
  return runInit(ptr, len, version, setup);
}

export function filter(ptr: i32, len: i32, version: i32): i32 {
  return runFilter(ptr, len, version, containsCriteria);
}
