// {{project-name}}: a filter SmartModule with a parameter. Keeps the records whose value
// contains the `key` parameter (`-e key=...`; "a" when not given).
import { Params, SmartModuleRecord } from "@eddy/smartmodule-sdk";

let key: string = "a";

// Runs once with the parameters; call fail("why") to refuse them.
@init
function setup(params: Params): void {
  key = params.getOr("key", "a");
}

// Your code: return true to keep the record. Call fail("why") to stop with an error.
@filter
function keep(record: SmartModuleRecord): bool {
  return record.valueContains(key);
}
