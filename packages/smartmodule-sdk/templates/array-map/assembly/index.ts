// {{project-name}}: an array-map SmartModule. Splits a JSON array into one record per element.
import { SmartModuleRecord, fail } from "@eddy/smartmodule-sdk";

// Your code: return the records to write for this one (possibly none).
// @array_map makes it the module's array_map (the SDK generates the ABI exports).
@array_map
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
