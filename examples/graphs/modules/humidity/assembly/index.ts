// humidity 1.0.0: Azure IoT Operations' humidity sample, same behaviour. An accumulate over
// readings {"humidity":{"value":85}} that writes {"humidity":{"count","max","min","average","last"}}
// with full precision; `last` is the input with the latest second (ties: the later input). Any
// other measurement fails the call ("Unexpected measurement type.").
import { Message, fail, logger, metrics, NANOS_PER_SECOND } from "@eddy/smartmodule-sdk/graph";
import { MEASUREMENT_HUMIDITY, displayFloat, measurementError, readMeasurement } from "../../../shared/assembly/measurement";

@accumulate_operator
function accumulateHumidity(staged: Message, inputs: Message[]): Message {
  metrics.addToCounter("requests", 1);
  let count: u64 = 0;
  let sum: f64 = 0;
  let max: f64 = -1.7976931348623157e308; // f64::MIN, as Azure's starts
  let min: f64 = 1.7976931348623157e308;
  let last: f64 = 0;
  if (staged.payloadLength > 0) {
    const s = readMeasurement(staged.payloadJson());
    if (s !== null && s.kind == MEASUREMENT_HUMIDITY) {
      const r = s.reading!;
      count = r.count;
      sum = r.average * <f64>r.count;
      max = r.max;
      min = r.min;
      last = r.last;
    }
  }
  let lastSecs: u64 = 0;
  let from: Message = staged;
  for (let i = 0; i < inputs.length; i++) {
    const input = inputs[i];
    const m = readMeasurement(input.payloadJson());
    if (m === null) {
      fail("payload is not a measurement: " + measurementError());
      return staged;
    }
    if (m.kind != MEASUREMENT_HUMIDITY) {
      fail("Unexpected measurement type.");
      return staged;
    }
    const r = m.reading!;
    if (!r.hasValue) {
      fail("a humidity reading without a value");
      return staged;
    }
    const v = r.value;
    sum += v;
    count++;
    if (v > max) max = v;
    if (v < min) min = v;
    const secs = input.physicalTime / NANOS_PER_SECOND;
    if (secs >= lastSecs) {
      last = v;
      lastSecs = secs;
    }
    from = input;
  }
  const text = "{\"humidity\":{\"count\":" + count.toString() + ",\"max\":" + displayFloat(max) + ",\"min\":" +
    displayFloat(min) + ",\"average\":" + displayFloat(sum / <f64>count) + ",\"last\":" + displayFloat(last) + "}}";
  logger.info(text);
  return Message.builder().setTopic(from.topic()).setPayloadString(text).build();
}
