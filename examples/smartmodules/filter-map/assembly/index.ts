// Drops odd numbers and halves even ones (Fluvio's filter_map example).
import { SmartModuleRecord } from "@eddy/smartmodule-sdk";

@filter_map
function halveEvens(record: SmartModuleRecord): SmartModuleRecord | null {
  const n = record.valueInt(); // fails the record on non-integers
  if (n % 2 != 0) return null;
  return record.withValue((n / 2).toString());
}
