// Keeps records whose value contains the `key` parameter (`-e key=...`); init refuses to
// start without it (Fluvio's filter_init).
import { Params, SmartModuleRecord, fail } from "@eddy/smartmodule-sdk";

let criteria: string = "";

@init
function setup(params: Params): void {
  const key = params.get("key");
  if (key === null) {
    fail("missing required parameter \"key\"");
    return;
  }
  criteria = key;
}

@filter
function containsCriteria(record: SmartModuleRecord): bool {
  return record.valueContains(criteria);
}
