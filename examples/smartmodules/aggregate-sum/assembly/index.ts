// Running sum of integer values: each output record carries the sum so far, and the sum
// is kept between batches as the accumulator (Fluvio's aggregate-sum). An empty initial
// accumulator counts as 0.
import { SmartModuleRecord, parseIntString, parseOk, fail } from "@eddy/smartmodule-sdk";

@aggregate
function sum(accumulator: string, record: SmartModuleRecord): string {
  let total: i64 = 0;
  if (accumulator.length > 0) {
    total = parseIntString(accumulator);
    if (!parseOk()) {
      fail("accumulator is not an integer: \"" + accumulator + "\"");
      return accumulator;
    }
  }
  return (total + record.valueInt()).toString();
}
