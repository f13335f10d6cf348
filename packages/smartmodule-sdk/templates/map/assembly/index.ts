// {{project-name}}: a map SmartModule. Reads each value as an integer and doubles it.
import { SmartModuleRecord, runMap } from "@eddy/smartmodule-sdk";
export { alloc, dealloc } from "@eddy/smartmodule-sdk";

// Your code: return the record to write instead (record.withValue(..) keeps the key).
// valueInt() calls fail(..) for a value that is not an integer.
function transform(record: SmartModuleRecord): SmartModuleRecord {
  const n = record.valueInt();
  return record.withValue((n * 2).toString());
}

// The ABI entry point; leave as is.
export function map(ptr: i32, len: i32, version: i32): i32 {
  return runMap(ptr, len, version, transform);
}
