// Running average of numeric values. The accumulator is JSON {"average": a, "count": n},
// updated incrementally (Fluvio's aggregate-average); an empty or unreadable accumulator
// starts from zero, as Fluvio's unwrap_or_default does.
import { JsonValue, SmartModuleRecord, parseJson } from "@eddy/smartmodule-sdk";

@aggregate
function average(accumulator: string, record: SmartModuleRecord): string {
  const value = record.valueFloat(); // fails the record on non-numbers
  let avg = 0.0;
  let count: i64 = 0;
  const state = parseJson(accumulator);
  if (state !== null && state.isObject) {
    const a = state.get("average");
    const c = state.get("count");
    if (a !== null && c !== null && a.isNumber && c.isInteger) {
      avg = a.asNumber();
      count = c.asInt();
    }
  }
  count++;
  avg += (value - avg) / <f64>count;
  return JsonValue.object().setNumber("average", avg).setInteger("count", count).stringify();
}
