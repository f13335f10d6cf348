// {{project-name}}: a filter SmartModule. Keeps the records whose value contains "a".
import { SmartModuleRecord } from "@eddy/smartmodule-sdk";

// Your code: return true to keep the record. Call fail("why") to stop with an error.
// @filter makes it the module's filter (the SDK generates the ABI exports).
@filter
function keep(record: SmartModuleRecord): bool {
  return record.valueContains("a");
}
