// The sensor data model Azure IoT Operations' sample operators share, read and written as they
// read and write it (their Rust `Measurement` enum through serde_json):
//
//   {"temperature":{"value":1209,"unit":"F"}}          one reading; unit "C" or "F" is required
//   {"humidity":{"value":85}}
//   {"object":{"result":"laptop"}}
//   {"sensor_data":{"temperature":[…],"humidity":[…],"object":[…]}}
//
// A document is an object with exactly one of these four keys. Inside, unknown fields are
// ignored, missing numbers read as 0 (`value` as absent), and a field of the wrong type makes the
// whole document unreadable, as serde refuses it. Written documents keep serde's field order:
// value (only when present), count, max, min, average, last, unit, overtemp.
import { JsonValue } from "@eddy/smartmodule-sdk/graph";

export const MEASUREMENT_TEMPERATURE: i32 = 1;
export const MEASUREMENT_HUMIDITY: i32 = 2;
export const MEASUREMENT_OBJECT: i32 = 3;
export const MEASUREMENT_SENSOR_DATA: i32 = 4;

/** A temperature or humidity reading or summary (humidity has no unit and no overtemp). */
export class Reading {
  hasValue: bool = false;
  value: f64 = 0;
  count: u64 = 0;
  max: f64 = 0;
  min: f64 = 0;
  average: f64 = 0;
  last: f64 = 0;
  /** "C" or "F" for temperatures, "" for humidity. */
  unit: string = "";
  overtemp: bool = false;
}

export class SensorData {
  temperature: Reading[] = [];
  humidity: Reading[] = [];
  object: string[] = [];
}

export class Measurement {
  kind: i32 = 0;
  reading: Reading | null = null;
  /** An object's `result`. */
  result: string = "";
  data: SensorData | null = null;
}

let why = "";
/** Why the last read returned null. */
export function measurementError(): string {
  return why;
}

function refuse(text: string): bool {
  why = text;
  return false;
}

/** A number field: absent → keeps the default; not a number → refused. */
function readNumber(o: JsonValue, key: string, into: Reading, slot: i32): bool {
  const v = o.get(key);
  if (v === null) return true;
  if (!v.isNumber) return refuse("invalid type for \"" + key + "\": expected a number");
  const n = v.asNumber();
  if (slot == 0) into.max = n;
  else if (slot == 1) into.min = n;
  else if (slot == 2) into.average = n;
  else into.last = n;
  return true;
}

function readReading(o: JsonValue, temperature: bool): Reading | null {
  if (!o.isObject) {
    refuse("invalid type: expected a " + (temperature ? "temperature" : "humidity") + " object");
    return null;
  }
  const r = new Reading();
  const value = o.get("value");
  if (value !== null && !value.isNull) {
    if (!value.isNumber) {
      refuse("invalid type for \"value\": expected a number");
      return null;
    }
    r.hasValue = true;
    r.value = value.asNumber();
  }
  const count = o.get("count");
  if (count !== null) {
    if (!count.isInteger || count.asInt() < 0) {
      refuse("invalid type for \"count\": expected an unsigned integer");
      return null;
    }
    r.count = <u64>count.asInt();
  }
  if (!readNumber(o, "max", r, 0) || !readNumber(o, "min", r, 1) || !readNumber(o, "average", r, 2) || !readNumber(o, "last", r, 3)) {
    return null;
  }
  if (temperature) {
    const unit = o.get("unit");
    if (unit === null) {
      refuse("missing field \"unit\"");
      return null;
    }
    const u = unit.asString();
    if (!unit.isString || (u != "C" && u != "F")) {
      refuse("unknown unit " + unit.stringify() + ", expected \"C\" or \"F\"");
      return null;
    }
    r.unit = u;
    const over = o.get("overtemp");
    if (over !== null) {
      if (!over.isBool) {
        refuse("invalid type for \"overtemp\": expected a boolean");
        return null;
      }
      r.overtemp = over.asBool();
    }
  }
  return r;
}

function readObjectResult(o: JsonValue): string | null {
  const result = o.isObject ? o.get("result") : null;
  if (result === null || !result.isString) {
    refuse("an object needs a string \"result\"");
    return null;
  }
  return result.asString();
}

function readList(o: JsonValue, key: string): JsonValue | null {
  const v = o.get(key);
  if (v === null) return JsonValue.array();
  if (!v.isArray) {
    refuse("invalid type for \"" + key + "\": expected an array");
    return null;
  }
  return v;
}

function readSensorData(o: JsonValue): SensorData | null {
  if (!o.isObject) {
    refuse("invalid type: expected a sensor_data object");
    return null;
  }
  const d = new SensorData();
  const t = readList(o, "temperature");
  const h = readList(o, "humidity");
  const b = readList(o, "object");
  if (t === null || h === null || b === null) return null;
  for (let i = 0; i < t.length; i++) {
    const r = readReading(t.at(i)!, true);
    if (r === null) return null;
    d.temperature.push(r);
  }
  for (let i = 0; i < h.length; i++) {
    const r = readReading(h.at(i)!, false);
    if (r === null) return null;
    d.humidity.push(r);
  }
  for (let i = 0; i < b.length; i++) {
    const s = readObjectResult(b.at(i)!);
    if (s === null) return null;
    d.object.push(s);
  }
  return d;
}

/** Reads a measurement document; null (see measurementError) when serde would refuse it. */
export function readMeasurement(json: JsonValue | null): Measurement | null {
  if (json === null) {
    refuse("not JSON");
    return null;
  }
  if (!json.isObject || json.length != 1) {
    refuse("expected an object with exactly one of temperature, humidity, object, sensor_data");
    return null;
  }
  const key = json.keyAt(0);
  const body = json.at(0)!;
  const m = new Measurement();
  if (key == "temperature" || key == "humidity") {
    const r = readReading(body, key == "temperature");
    if (r === null) return null;
    m.kind = key == "temperature" ? MEASUREMENT_TEMPERATURE : MEASUREMENT_HUMIDITY;
    m.reading = r;
  } else if (key == "object") {
    const s = readObjectResult(body);
    if (s === null) return null;
    m.kind = MEASUREMENT_OBJECT;
    m.result = s;
  } else if (key == "sensor_data") {
    const d = readSensorData(body);
    if (d === null) return null;
    m.kind = MEASUREMENT_SENSOR_DATA;
    m.data = d;
  } else {
    refuse("unknown variant \"" + key + "\", expected one of temperature, humidity, object, sensor_data");
    return null;
  }
  return m;
}

/** A reading's fields as serde writes them (value only when present; unit and overtemp for temperatures). */
export function readingJson(r: Reading, temperature: bool): JsonValue {
  const o = JsonValue.object();
  if (r.hasValue) o.setNumber("value", r.value);
  o.setInteger("count", <i64>r.count)
    .setNumber("max", r.max)
    .setNumber("min", r.min)
    .setNumber("average", r.average)
    .setNumber("last", r.last);
  if (temperature) o.setString("unit", r.unit).setBool("overtemp", r.overtemp);
  return o;
}

/** The sensor_data body: {"temperature":[…],"humidity":[…],"object":[{"result":…}]}. */
export function sensorDataJson(d: SensorData): JsonValue {
  const t = JsonValue.array();
  for (let i = 0; i < d.temperature.length; i++) t.push(readingJson(d.temperature[i], true));
  const h = JsonValue.array();
  for (let i = 0; i < d.humidity.length; i++) h.push(readingJson(d.humidity[i], false));
  const b = JsonValue.array();
  for (let i = 0; i < d.object.length; i++) b.push(JsonValue.object().setString("result", d.object[i]));
  return JsonValue.object().set("temperature", t).set("humidity", h).set("object", b);
}

/** One measurement document: {"<key>": body}. */
export function measurementJson(key: string, body: JsonValue): JsonValue {
  return JsonValue.object().set(key, body);
}

/**
 * A number as Rust's `{}` (Display) writes an f64: the shortest digits that read back, never an
 * exponent (1e21 → "1000000000000000000000", 1e-7 → "0.0000001"). The summaries the accumulate
 * operators write are formatted this way, not through serde.
 */
export function displayFloat(v: f64): string {
  if (isNaN(v)) return "NaN";
  if (!isFinite(v)) return v > 0 ? "inf" : "-inf";
  if (v == 0) return (1 / v) < 0 ? "-0" : "0";
  let s = v.toString();
  if (s.endsWith(".0")) s = s.substring(0, s.length - 2);
  const e = s.indexOf("e");
  if (e < 0) return s;
  // d.ddde±x → plain digits
  let mantissa = s.substring(0, e);
  const exp = <i32>parseInt(s.substring(e + 1).replace("+", ""));
  const neg = mantissa.startsWith("-");
  if (neg) mantissa = mantissa.substring(1);
  const dot = mantissa.indexOf(".");
  const digits = dot < 0 ? mantissa : mantissa.substring(0, dot) + mantissa.substring(dot + 1);
  const point = (dot < 0 ? mantissa.length : dot) + exp; // digits before the point
  let out: string;
  if (point <= 0) out = "0." + "0".repeat(-point) + digits;
  else if (point >= digits.length) out = digits + "0".repeat(point - digits.length);
  else out = digits.substring(0, point) + "." + digits.substring(point);
  return neg ? "-" + out : out;
}
