// {{project-name}}: a filter-map SmartModule. Keeps even integers, halved; drops odd ones.
import { SmartModuleRecord, runFilterMap } from "@eddy/smartmodule-sdk";
export { alloc, dealloc } from "@eddy/smartmodule-sdk";

// Your code: return the record to write, or null to drop it.
function transform(record: SmartModuleRecord): SmartModuleRecord | null {
  const n = record.valueInt();
  if (n % 2 != 0) return null;
  return record.withValue((n / 2).toString());
}

// The ABI entry point; leave as is.
export function filter_map(ptr: i32, len: i32, version: i32): i32 {
  return runFilterMap(ptr, len, version, transform);
}
