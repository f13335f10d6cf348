// collection 1.0.0: Azure IoT Operations' collection sample, same behaviour. An accumulate that
// groups the measurements of one timestamp by kind into
//   {"sensor_data":{"temperature":[…],"humidity":[…],"object":[{"result":…}]}}
// (each entry in serde's field order, readings keep their value only when they have one). A
// sensor_data input or a payload that is no measurement fails the call.
import { Message, fail, metrics } from "@eddy/smartmodule-sdk/graph";
import {
  MEASUREMENT_HUMIDITY, MEASUREMENT_OBJECT, MEASUREMENT_SENSOR_DATA, MEASUREMENT_TEMPERATURE, SensorData,
  measurementError, measurementJson, readMeasurement, sensorDataJson,
} from "../../../shared/assembly/measurement";

@accumulate_operator
function accumulateSensorData(staged: Message, inputs: Message[]): Message {
  metrics.addToCounter("requests", 1);
  let data = new SensorData();
  if (staged.payloadLength > 0) {
    const s = readMeasurement(staged.payloadJson());
    if (s === null || s.kind != MEASUREMENT_SENSOR_DATA) {
      fail("Unexpected type for result.");
      return staged;
    }
    data = s.data!;
  }
  for (let i = 0; i < inputs.length; i++) {
    const m = readMeasurement(inputs[i].payloadJson());
    if (m === null) {
      fail("payload is not a measurement: " + measurementError());
      return staged;
    }
    if (m.kind == MEASUREMENT_TEMPERATURE) data.temperature.push(m.reading!);
    else if (m.kind == MEASUREMENT_HUMIDITY) data.humidity.push(m.reading!);
    else if (m.kind == MEASUREMENT_OBJECT) data.object.push(m.result);
    else {
      fail("Unexpected measurement type.");
      return staged;
    }
  }
  // Azure's result is the staged message: no topic, no properties
  return Message.builder().setPayloadJson(measurementJson("sensor_data", sensorDataJson(data))).build();
}
