// window 1.0.0: Azure IoT Operations' window sample, same behaviour. A delay that moves each
// message to the end of its 10-second tumbling window, so one accumulate call sees the whole
// window: a timestamp already on a 10-second boundary stays where it is, any other moves up to
// the next boundary. Window k holds (k·10 s − 10 s, k·10 s]. A moved timestamp gets counter 0
// (Azure zeroes it always; one left in place keeps its counter, as Eddy's delay never moves a
// message back in time; source messages have counter 0). The node stays.
// Azure's window takes no parameters and neither does this one.
import { Hlc, Message, metrics, NANOS_PER_SECOND } from "@eddy/smartmodule-sdk/graph";

// 10 s in ns (the HLC's physical unit)
const WINDOW_NS: u64 = 10 * NANOS_PER_SECOND;

@delay_operator
function delay(input: Message, timestamp: Hlc): Hlc {
  metrics.addToCounter("requests", 1);
  // the timestamp object is lent: changing and returning it allocates nothing
  const rest = timestamp.physical % WINDOW_NS;
  if (rest != 0) {
    timestamp.physical += WINDOW_NS - rest;
    timestamp.counter = 0;
  }
  return timestamp;
}
