// enrichment 1.0.0: Azure IoT Operations' enrichment sample, same behaviour. A map over a
// collection {"sensor_data":{…}} that flags over-temperature through the graph's state store:
//   per temperature summary: max > 100 → "overtemp": true, state "overtemp" = "true" and
//     "overtemp_count" + 1 (under the state store lock "lock", 3 tries); else min < 0 →
//     "overtemp": false, state "overtemp" = "false"; else "overtemp" true when the state says
//     "true" (an earlier alert sticks), otherwise as it came. Its "value" is removed.
//   per humidity summary: max > 80 → state "wet_flag" = max; else min < 80 → "wet_flag" deleted.
// The output is the sensor_data body itself, {"temperature":[…],"humidity":[…],"object":[…]},
// on topic "sensors" without content type; the timestamp and properties stay. Anything but a
// sensor_data document fails the call.
import {
  Message, SetCondition, StateResult, fail, logger, metrics, parseIntString, parseOk, stateStore,
} from "@eddy/smartmodule-sdk/graph";
import {
  MEASUREMENT_SENSOR_DATA, displayFloat, measurementError, readMeasurement, sensorDataJson,
} from "../../../shared/assembly/measurement";

const OVERTEMP_KEY = "overtemp";
const OVERTEMP_COUNT_KEY = "overtemp_count";
const WET_FLAG = "wet_flag";
const LOCK_KEY = "lock";
const LOCK_OWNER = "module2";
const LOCK_EXPIRY_MS: i64 = 10_000;

/** Adds one to "overtemp_count" while holding "lock" (as Azure's, up to 3 tries). */
function increaseOvertempCount(): void {
  for (let tries = 3; tries > 0; tries--) {
    if (stateStore.set(LOCK_KEY, LOCK_OWNER, SetCondition.OnlyIfEqualOrDoesNotExist, LOCK_EXPIRY_MS) != StateResult.Done) {
      logger.warn("failed to acquire lock, retries left: " + (tries - 1).toString());
      continue;
    }
    const text = stateStore.get(OVERTEMP_COUNT_KEY);
    let count: i64 = text === null ? 0 : parseIntString(text);
    if (text !== null && !parseOk()) {
      logger.error("over-temperature count '" + text + "' is not a number: counting from 0");
      count = 0;
    }
    stateStore.set(OVERTEMP_COUNT_KEY, (count + 1).toString());
    stateStore.delIfEqual(LOCK_KEY, LOCK_OWNER);
    return;
  }
  logger.error("failed to acquire lock after multiple attempts");
}

@map_operator
function overtempCheck(input: Message): Message {
  metrics.addToCounter("requests", 1);
  const m = readMeasurement(input.payloadJson());
  if (m === null || m.kind != MEASUREMENT_SENSOR_DATA) {
    fail(m === null ? "payload is not a measurement: " + measurementError() : "Unexpected type for result.");
    return input;
  }
  const data = m.data!;
  for (let i = 0; i < data.temperature.length; i++) {
    const t = data.temperature[i];
    if (t.max > 100) {
      t.overtemp = true;
      stateStore.set(OVERTEMP_KEY, "true");
      logger.warn("over-temperature recorded due to temperature of " + displayFloat(t.max));
      increaseOvertempCount();
    } else if (t.min < 0) {
      t.overtemp = false;
      stateStore.set(OVERTEMP_KEY, "false");
    } else if (stateStore.get(OVERTEMP_KEY) == "true") {
      t.overtemp = true;
    }
    t.hasValue = false;
  }
  for (let i = 0; i < data.humidity.length; i++) {
    const h = data.humidity[i];
    if (h.max > 80) stateStore.set(WET_FLAG, displayFloat(h.max));
    else if (h.min < 80) stateStore.del(WET_FLAG);
  }
  return input.toBuilder().setTopic("sensors").setContentType("").setPayloadJson(sensorDataJson(data)).build();
}
