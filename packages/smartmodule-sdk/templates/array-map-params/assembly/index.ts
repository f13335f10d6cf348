// {{project-name}}: an array-map SmartModule with a parameter. Splits a JSON array into one
// record per element, keyed by the `key` parameter (`-e key=...`; the input's key when not given).
import { Params, SmartModuleRecord, fail } from "@eddy/smartmodule-sdk";

let key: string | null = null;

// Runs once with the parameters; call fail("why") to refuse them.
@init
function setup(params: Params): void {
  key = params.get("key");
}

// Your code: return the records to write for this one (possibly none).
@array_map
function transform(record: SmartModuleRecord): SmartModuleRecord[] {
  const out: SmartModuleRecord[] = [];
  const json = record.valueJson(); // calls fail(..) for malformed JSON
  if (json === null) return out;
  if (!json.isArray) {
    fail("value is not a JSON array");
    return out;
  }
  const k = key;
  const outKey = k !== null ? k : record.keyString();
  for (let i = 0; i < json.length; i++) out.push(SmartModuleRecord.ofJson(json.at(i)!, outKey));
  return out;
}
