// Reads each value as an integer and doubles it, keeping the key (Fluvio's map_double).
import { SmartModuleRecord } from "@eddy/smartmodule-sdk";

@map
function double(record: SmartModuleRecord): SmartModuleRecord {
  const n = record.valueInt(); // fails the record on non-integers
  return record.withValue((n * 2).toString());
}
