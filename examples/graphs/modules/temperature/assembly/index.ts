// temperature 1.0.0 (Azure IoT Operations' temperature sample): four operators over sensor
// readings {"sensor_id":"temp-01","type":"temperature","value":21.5,"unit":"C"}.
//   map        Celsius -> Fahrenheit ("unit":"F", "original_celsius" kept)
//   filter     drops temperature readings outside [temperature_lower_bound, temperature_upper_bound] °C
//   branch     temperature readings -> True, anything else -> False
//   accumulate min, max, average and count of the window's temperatures
import {
  Hlc, JsonValue, Message, MessageBuilder, ModuleConfiguration, fail, logger, metrics, parseFloatString, parseOk,
} from "@eddy/smartmodule-sdk/graph";

let lowerBound: f64 = -40;
let upperBound: f64 = 3422;

/** A number parameter, or NaN after fail(..) when it is not one. */
function numberParam(config: ModuleConfiguration, name: string, fallback: f64): f64 {
  const text = config.get(name);
  if (text === null) return fallback;
  const v = parseFloatString(text);
  if (!parseOk() || isNaN(v)) {
    fail(name + " is not a number: \"" + text + "\"");
    return NaN;
  }
  return v;
}

@operator_init
function init(config: ModuleConfiguration): bool {
  const lower = numberParam(config, "temperature_lower_bound", -40);
  const upper = numberParam(config, "temperature_upper_bound", 3422);
  if (isNaN(lower) || isNaN(upper)) return false;
  if (lower > upper) {
    fail("temperature_lower_bound (" + config.getOr("temperature_lower_bound", "") + ") is above temperature_upper_bound (" + config.getOr("temperature_upper_bound", "") + ")");
    return false;
  }
  lowerBound = lower;
  upperBound = upper;
  logger.info("temperature " + config.operationName + ": bounds " + lower.toString() + ".." + upper.toString() + " °C");
  return true;
}

/** True for {"type":"temperature", ...}; the parsed reading goes to `reading`. */
let reading: JsonValue | null = null;
function isTemperature(input: Message): bool {
  // cheap byte check first: most non-temperature messages never get parsed
  if (!input.payloadContains("temperature")) return false;
  const json = input.payloadJson();
  reading = json;
  if (json === null || !json.isObject) return false;
  const type = json.get("type");
  return type !== null && type.asString() == "temperature";
}

function celsiusOf(json: JsonValue): f64 {
  const value = json.get("value");
  if (value === null || !value.isNumber) return NaN;
  const unit = json.get("unit");
  const v = value.asNumber();
  return unit !== null && unit.asString() == "F" ? (v - 32) * 5 / 9 : v;
}

@map_operator
function toFahrenheit(input: Message): Message {
  if (!isTemperature(input)) return input;
  const json = reading!;
  const unit = json.get("unit");
  const value = json.get("value");
  if (value === null || !value.isNumber || (unit !== null && unit.asString() != "C")) return input;
  const celsius = value.asNumber();
  json.setNumber("value", celsius * 9 / 5 + 32);
  json.setString("unit", "F");
  json.setNumber("original_celsius", celsius);
  return input.toBuilder().setPayloadJson(json).build();
}

@filter_operator
function inBounds(input: Message): bool {
  if (!isTemperature(input)) return true; // only temperatures are judged
  const c = celsiusOf(reading!);
  const keep = !isNaN(c) && c >= lowerBound && c <= upperBound;
  if (!keep) metrics.addToCounter("temperature_out_of_bounds", 1);
  return keep;
}

@branch_operator
function temperatureOrNot(input: Message, timestamp: Hlc): bool {
  return isTemperature(input);
}

@accumulate_operator
function summary(staged: Message, inputs: Message[]): Message {
  let count = 0;
  let min = Infinity;
  let max = -Infinity;
  let sum: f64 = 0;
  let unit = "F";
  for (let i = 0; i < inputs.length; i++) {
    if (!isTemperature(inputs[i])) continue;
    const json = reading!;
    const value = json.get("value");
    if (value === null || !value.isNumber) continue;
    const v = value.asNumber();
    const u = json.get("unit");
    if (u !== null) unit = u.asString();
    count++;
    sum += v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const out = JsonValue.object().setString("type", "temperature").setString("unit", unit).setInteger("count", count);
  if (count > 0) {
    out.setNumber("min", min).setNumber("max", max).setNumber("average", Math.round(sum / count * 100) / 100);
  }
  const from = inputs.length > 0 ? inputs[0] : staged;
  return MessageBuilder.from(from).setContentType("application/json").setPayloadJson(out).build();
}
