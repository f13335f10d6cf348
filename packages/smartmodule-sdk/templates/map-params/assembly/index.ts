// {{project-name}}: a map SmartModule with a parameter. Multiplies integer values by the
// `factor` parameter (`-e factor=...`; 2 when not given).
import { Params, SmartModuleRecord, fail, parseIntString, parseOk } from "@eddy/smartmodule-sdk";

let factor: i64 = 2;

// Runs once with the parameters; call fail("why") to refuse them.
@init
function setup(params: Params): void {
  const text = params.get("factor");
  if (text === null) return;
  factor = parseIntString(text);
  if (!parseOk()) fail("parameter \"factor\" must be an integer, got \"" + text + "\"");
}

// Your code: return the record to write instead (record.withValue(..) keeps the key).
@map
function transform(record: SmartModuleRecord): SmartModuleRecord {
  const n = record.valueInt();
  return record.withValue((n * factor).toString());
}
