// {{project-name}}: an aggregate SmartModule with a parameter. Keeps a running sum of integer
// values, each multiplied by the `scale` parameter (`-e scale=...`; 1 when not given).
import { Params, SmartModuleRecord, fail, parseIntString, parseOk } from "@eddy/smartmodule-sdk";

let scale: i64 = 1;

// Runs once with the parameters; call fail("why") to refuse them.
@init
function setup(params: Params): void {
  const text = params.get("scale");
  if (text === null) return;
  scale = parseIntString(text);
  if (!parseOk()) fail("parameter \"scale\" must be an integer, got \"" + text + "\"");
}

// Your code: combine the accumulator with the record and return the new accumulator,
// which is also written as this record's value.
@aggregate
function combine(accumulator: string, record: SmartModuleRecord): string {
  let sum: i64 = 0;
  if (accumulator.length > 0) {
    sum = parseIntString(accumulator);
    if (!parseOk()) fail("accumulator is not an integer: \"" + accumulator + "\"");
  }
  return (sum + record.valueInt() * scale).toString();
}
