// {{project-name}}: an aggregate SmartModule. Keeps a running sum of integer values.
import { SmartModuleRecord, fail, parseIntString, parseOk } from "@eddy/smartmodule-sdk";

// Your code: combine the accumulator with the record and return the new accumulator,
// which is also written as this record's value. It starts as the initial accumulator
// (empty unless the consumer gives one) and carries over between batches.
// @aggregate makes it the module's aggregate (the SDK generates the ABI exports).
@aggregate
function combine(accumulator: string, record: SmartModuleRecord): string {
  let sum: i64 = 0;
  if (accumulator.length > 0) {
    sum = parseIntString(accumulator);
    if (!parseOk()) fail("accumulator is not an integer: \"" + accumulator + "\"");
  }
  return (sum + record.valueInt()).toString();
}
