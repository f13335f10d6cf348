// {{project-name}}: a filter-map SmartModule with a parameter. Keeps integers divisible by
// the `divisor` parameter (`-e divisor=...`; 2 when not given), divided by it.
import { Params, SmartModuleRecord, fail, parseIntString, parseOk, runFilterMap, runInit } from "@eddy/smartmodule-sdk";
export { alloc, dealloc } from "@eddy/smartmodule-sdk";

let divisor: i64 = 2;

// Runs once with the parameters; call fail("why") to refuse them.
function setup(params: Params): void {
  const text = params.get("divisor");
  if (text === null) return;
  divisor = parseIntString(text);
  if (!parseOk() || divisor == 0) fail("parameter \"divisor\" must be a non-zero integer, got \"" + text + "\"");
}

// Your code: return the record to write, or null to drop it.
function transform(record: SmartModuleRecord): SmartModuleRecord | null {
  const n = record.valueInt();
  if (n % divisor != 0) return null;
  return record.withValue((n / divisor).toString());
}

// The ABI entry points; leave as they are.
export function init(ptr: i32, len: i32, version: i32): i32 {
  return runInit(ptr, len, version, setup);
}

export function filter_map(ptr: i32, len: i32, version: i32): i32 {
  return runFilterMap(ptr, len, version, transform);
}
