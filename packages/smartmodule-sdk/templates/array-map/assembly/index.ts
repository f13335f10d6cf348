// {{project-name}}: an array-map SmartModule. Splits a JSON array into one record per element.
import { SmartModuleRecord, fail, runArrayMap } from "@eddy/smartmodule-sdk";
export { alloc, dealloc } from "@eddy/smartmodule-sdk";

// Your code: return the records to write for this one (possibly none).
function transform(record: SmartModuleRecord): SmartModuleRecord[] {
  const out: SmartModuleRecord[] = [];
  const json = record.valueJson(); // calls fail(..) for malformed JSON
  if (json === null) return out;
  if (!json.isArray) {
    fail("value is not a JSON array");
    return out;
  }
  for (let i = 0; i < json.length; i++) out.push(SmartModuleRecord.ofJson(json.at(i)!, record.keyString()));
  return out;
}

// The ABI entry point; leave as is.
export function array_map(ptr: i32, len: i32, version: i32): i32 {
  return runArrayMap(ptr, len, version, transform);
}
