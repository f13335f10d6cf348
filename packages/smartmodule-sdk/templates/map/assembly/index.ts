// {{project-name}}: a map SmartModule. Reads each value as an integer and doubles it.
import { SmartModuleRecord } from "@eddy/smartmodule-sdk";

// Your code: return the record to write instead (record.withValue(..) keeps the key).
// valueInt() calls fail(..) for a value that is not an integer.
// @map makes it the module's map (the SDK generates the ABI exports).
@map
function transform(record: SmartModuleRecord): SmartModuleRecord {
  const n = record.valueInt();
  return record.withValue((n * 2).toString());
}
