// Keeps a record only when its integer value is greater than the last value let through.
// look_back primes that value from the stream's history (e.g. `--lookback-last 1`), so a
// restarted consumer keeps going where it left off (Fluvio's filter_look_back).
import { SmartModuleRecord } from "@eddy/smartmodule-sdk";

let last: i64 = i64.MIN_VALUE;

@look_back
function remember(record: SmartModuleRecord): void {
  last = record.valueInt(); // fails look-back on non-integers
}

@filter
function greaterThanLast(record: SmartModuleRecord): bool {
  const value = record.valueInt();
  if (value <= last) return false;
  last = value;
  return true;
}
