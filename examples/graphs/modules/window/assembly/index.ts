// window 1.0.0 (Azure IoT Operations' window sample): a delay that moves every message to the end
// of its tumbling window, so one accumulate call sees the whole window. Window [k·w, (k+1)·w)
// gets timestamp (k+1)·w ms (counter 0, same node). Parameter window_size_seconds, default 10.
import { Hlc, Message, ModuleConfiguration, fail, parseIntString, parseOk } from "@eddy/smartmodule-sdk/graph";

let windowMs: u64 = 10_000;

@operator_init
function init(config: ModuleConfiguration): bool {
  const text = config.get("window_size_seconds");
  if (text === null) return true;
  const seconds = parseIntString(text);
  if (!parseOk() || seconds <= 0 || seconds > 31_536_000) {
    fail("window_size_seconds must be a whole number of seconds from 1 to 31536000, not \"" + text + "\"");
    return false;
  }
  windowMs = <u64>seconds * 1000;
  return true;
}

@delay_operator
function windowEnd(input: Message, timestamp: Hlc): Hlc {
  // the timestamp object is lent: changing and returning it allocates nothing
  timestamp.physical = (timestamp.physical / windowMs + 1) * windowMs;
  timestamp.counter = 0;
  return timestamp;
}
