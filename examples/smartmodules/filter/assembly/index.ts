// Keeps the records whose value contains the letter "a" (Fluvio's filter example).
import { SmartModuleRecord } from "@eddy/smartmodule-sdk";

@filter
function containsA(record: SmartModuleRecord): bool {
  return record.valueContains("a");
}
