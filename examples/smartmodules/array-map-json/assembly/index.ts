// Splits a JSON array into one record per element, each written as compact JSON
// (Fluvio's array_map_json_array). A value that is not a JSON array is an error.
import { SmartModuleRecord, fail } from "@eddy/smartmodule-sdk";

@array_map
function splitArray(record: SmartModuleRecord): SmartModuleRecord[] {
  const out: SmartModuleRecord[] = [];
  const array = record.valueJson(); // fails the record on malformed JSON
  if (array === null) return out;
  if (!array.isArray) {
    fail("value is not a JSON array");
    return out;
  }
  for (let i = 0; i < array.length; i++) {
    out.push(SmartModuleRecord.ofJson(array.at(i)!));
  }
  return out;
}
