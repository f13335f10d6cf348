// {{project-name}}: a map SmartModule with a parameter. Multiplies integer values by the
// `factor` parameter (`-e factor=...`; 2 when not given).
import { Params, SmartModuleRecord, fail, parseIntString, parseOk, runInit, runMap } from "@eddy/smartmodule-sdk";
export { alloc, dealloc } from "@eddy/smartmodule-sdk";

let factor: i64 = 2;

// Runs once with the parameters; call fail("why") to refuse them.
function setup(params: Params): void {
  const text = params.get("factor");
  if (text === null) return;
  factor = parseIntString(text);
  if (!parseOk()) fail("parameter \"factor\" must be an integer, got \"" + text + "\"");
}

// Your code: return the record to write instead (record.withValue(..) keeps the key).
function transform(record: SmartModuleRecord): SmartModuleRecord {
  const n = record.valueInt();
  return record.withValue((n * factor).toString());
}

// The ABI entry points; leave as they are.
export function init(ptr: i32, len: i32, version: i32): i32 {
  return runInit(ptr, len, version, setup);
}

export function map(ptr: i32, len: i32, version: i32): i32 {
  return runMap(ptr, len, version, transform);
}
