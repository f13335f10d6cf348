// {{project-name}}: a filter-map SmartModule. Keeps even integers, halved; drops odd ones.
import { SmartModuleRecord } from "@eddy/smartmodule-sdk";

// Your code: return the record to write, or null to drop it.
// @filter_map makes it the module's filter_map (the SDK generates the ABI exports).
@filter_map
function transform(record: SmartModuleRecord): SmartModuleRecord | null {
  const n = record.valueInt();
  if (n % 2 != 0) return null;
  return record.withValue((n / 2).toString());
}
