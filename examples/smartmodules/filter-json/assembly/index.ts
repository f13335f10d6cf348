// Keeps JSON log lines whose "level" is info, warn or error, dropping debug (Fluvio's
// filter_json). A value that is not JSON, or has no known level, is an error.
import { SmartModuleRecord, fail, runFilter } from "@eddy/smartmodule-sdk";
export { alloc, dealloc } from "@eddy/smartmodule-sdk";

function aboveDebug(record: SmartModuleRecord): bool {
  const log = record.valueJson(); // fails the record on malformed JSON
  if (log === null) return false;
  const level = log.get("level");
  if (level === null || !level.isString) {
    fail("log line has no string \"level\"");
    return false;
  }
  const name = level.asString();
  if (name == "debug") return false;
  if (name == "info" || name == "warn" || name == "error") return true;
  fail("unknown log level \"" + name + "\"");
  return false;
}

export function filter(ptr: i32, len: i32, version: i32): i32 {
  return runFilter(ptr, len, version, aboveDebug);
}
