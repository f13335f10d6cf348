// Keeps JSON log lines whose "level" is info, warn or error, dropping debug (Fluvio's
// filter_json). A value that is not JSON, or has no known level, is an error.
import { SmartModuleRecord, fail } from "@eddy/smartmodule-sdk";

@filter
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
