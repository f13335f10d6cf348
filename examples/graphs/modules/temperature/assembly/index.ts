// temperature 1.0.0: Azure IoT Operations' temperature sample operators, same behaviour, over
// readings {"temperature":{"value":1209,"unit":"F"}} (shared/measurement.ts has the data model).
//   map        °F → °C: a Fahrenheit reading becomes {"temperature":{"value":(v-32)·5/9,"count":0,
//              "max":0,"min":0,"average":0,"last":0,"unit":"C","overtemp":false}} (serde's full
//              document; unknown fields dropped). Celsius readings and other measurements pass
//              byte for byte. A payload that is no measurement fails the call.
//   branch     temperature → True, humidity, object or sensor_data → False.
//   filter     keeps Celsius temperatures strictly between temperature_lower_bound (default -40)
//              and temperature_upper_bound (default 3422, tungsten melts); drops Fahrenheit ones
//              and other measurements. A bound that is not a number is logged and the default kept.
//   accumulate {"temperature":{"count","max","min","average","last","unit"}} over the inputs,
//              full precision; `last` is the input with the latest second (ties: later input).
import {
  Hlc, Message, ModuleConfiguration, fail, logger, metrics, NANOS_PER_SECOND,
} from "@eddy/smartmodule-sdk/graph";
import {
  MEASUREMENT_TEMPERATURE, Measurement, Reading, displayFloat, measurementError, measurementJson, readMeasurement,
  readingJson,
} from "../../../shared/assembly/measurement";
import { parseRustFloat } from "../../../shared/assembly/rust_float";

const DEFAULT_LOWER_BOUND: f64 = -40;
const DEFAULT_UPPER_BOUND: f64 = 3422;
let lowerBound: f64 = DEFAULT_LOWER_BOUND;
let upperBound: f64 = DEFAULT_UPPER_BOUND;

function bound(config: ModuleConfiguration, name: string, fallback: f64): f64 {
  const text = config.get(name);
  if (text === null) {
    logger.info(name + " not configured, using default: " + displayFloat(fallback));
    return fallback;
  }
  const v = parseRustFloat(text);
  if (isNaN(v) && text.toLowerCase() != "nan") {
    logger.error("Failed to parse " + (name == "temperature_lower_bound" ? "lower" : "upper") + " bound value: " + text);
    return fallback;
  }
  logger.info((name == "temperature_lower_bound" ? "Lower" : "Upper") + " bound set to " + displayFloat(v));
  return v;
}

@operator_init
function init(config: ModuleConfiguration): bool {
  lowerBound = bound(config, "temperature_lower_bound", DEFAULT_LOWER_BOUND);
  upperBound = bound(config, "temperature_upper_bound", DEFAULT_UPPER_BOUND);
  return true;
}

/** The input's measurement, or null after fail(..) with `what`. */
function measurementOf(input: Message, what: string): Measurement | null {
  const m = readMeasurement(input.payloadJson());
  if (m === null) fail(what + ": " + measurementError());
  return m;
}

@map_operator
function fahrenheitToCelsius(input: Message): Message {
  metrics.addToCounter("requests", 1);
  const m = measurementOf(input, "Failed to parse payload as JSON");
  if (m === null || m.kind != MEASUREMENT_TEMPERATURE) return input;
  const r = m.reading!;
  if (r.unit != "F") return input;
  if (!r.hasValue) {
    fail("a Fahrenheit reading without a value");
    return input;
  }
  r.value = (r.value - 32) * 5 / 9;
  r.unit = "C";
  return input.toBuilder().setPayloadJson(measurementJson("temperature", readingJson(r, true))).build();
}

@branch_operator
function checkTemperature(input: Message, timestamp: Hlc): bool {
  metrics.addToCounter("requests", 1);
  const m = measurementOf(input, "Failed to parse payload as JSON");
  return m !== null && m.kind == MEASUREMENT_TEMPERATURE;
}

@filter_operator
function filterTemperature(input: Message): bool {
  metrics.addToCounter("requests", 1);
  const m = measurementOf(input, "payload is not a measurement");
  if (m === null || m.kind != MEASUREMENT_TEMPERATURE) return false;
  const r = m.reading!;
  if (r.unit != "C") return false;
  if (!r.hasValue) {
    fail("a temperature reading without a value");
    return false;
  }
  return r.value < upperBound && r.value > lowerBound;
}

@accumulate_operator
function accumulateTemperature(staged: Message, inputs: Message[]): Message {
  metrics.addToCounter("requests", 1);
  let count: u64 = 0;
  let sum: f64 = 0;
  let max: f64 = -1.7976931348623157e308; // f64::MIN, as Azure's starts
  let min: f64 = 1.7976931348623157e308;
  let last: f64 = 0;
  // a staged summary (Eddy stages none: its payload is empty) continues from its fields
  if (staged.payloadLength > 0) {
    const s = readMeasurement(staged.payloadJson());
    if (s !== null && s.kind == MEASUREMENT_TEMPERATURE) {
      const r = s.reading!;
      count = r.count;
      sum = r.average * <f64>r.count;
      max = r.max;
      min = r.min;
      last = r.last;
    }
  }
  let lastSecs: u64 = 0;
  let unit = "C";
  let from: Message = staged;
  for (let i = 0; i < inputs.length; i++) {
    const input = inputs[i];
    const m = measurementOf(input, "payload is not a measurement");
    if (m === null) return staged;
    if (m.kind != MEASUREMENT_TEMPERATURE) {
      fail("Unexpected measurement type.");
      return staged;
    }
    const r: Reading = m.reading!;
    if (!r.hasValue) {
      fail("a temperature reading without a value");
      return staged;
    }
    const v = r.value;
    sum += v;
    count++;
    if (v > max) max = v;
    if (v < min) min = v;
    // Azure compares whole seconds only: a later input in the same second replaces `last`
    const secs = input.physicalTime / NANOS_PER_SECOND;
    if (secs >= lastSecs) {
      last = v;
      lastSecs = secs;
    }
    unit = r.unit;
    from = input;
  }
  const average = sum / <f64>count;
  const text = "{\"temperature\":{\"count\":" + count.toString() + ",\"max\":" + displayFloat(max) + ",\"min\":" +
    displayFloat(min) + ",\"average\":" + displayFloat(average) + ",\"last\":" + displayFloat(last) + ",\"unit\":\"" + unit + "\"}}";
  logger.info(text);
  // Azure's result is the staged message (no properties) with the last input's topic
  return Message.builder().setTopic(from.topic()).setPayloadString(text).build();
}
