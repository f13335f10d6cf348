// Drops odd numbers: keeps records whose value is an even integer (Fluvio's filter_odd).
// A value that is not an integer is an error for that record.
import { SmartModuleRecord } from "@eddy/smartmodule-sdk";

@filter
function isEven(record: SmartModuleRecord): bool {
  return record.valueInt() % 2 == 0; // valueInt() calls fail(..) on non-integers
}
