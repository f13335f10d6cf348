// {{project-name}}: a filter-map SmartModule with a parameter. Keeps integers divisible by
// the `divisor` parameter (`-e divisor=...`; 2 when not given), divided by it.
import { Params, SmartModuleRecord, fail, parseIntString, parseOk } from "@eddy/smartmodule-sdk";

let divisor: i64 = 2;

// Runs once with the parameters; call fail("why") to refuse them.
@init
function setup(params: Params): void {
  const text = params.get("divisor");
  if (text === null) return;
  divisor = parseIntString(text);
  if (!parseOk() || divisor == 0) fail("parameter \"divisor\" must be a non-zero integer, got \"" + text + "\"");
}

// Your code: return the record to write, or null to drop it.
@filter_map
function transform(record: SmartModuleRecord): SmartModuleRecord | null {
  const n = record.valueInt();
  if (n % divisor != 0) return null;
  return record.withValue((n / divisor).toString());
}
