// humidity 1.0.0 (Azure IoT Operations' humidity sample): accumulate min, max, average and count
// of the window's humidity readings {"sensor_id":"hum-01","type":"humidity","value":45.2,"unit":"%"}.
import { JsonValue, Message, MessageBuilder } from "@eddy/smartmodule-sdk/graph";

@accumulate_operator
function summary(staged: Message, inputs: Message[]): Message {
  let count = 0;
  let min = Infinity;
  let max = -Infinity;
  let sum: f64 = 0;
  for (let i = 0; i < inputs.length; i++) {
    const json = inputs[i].payloadJson();
    if (json === null || !json.isObject) continue;
    const type = json.get("type");
    const value = json.get("value");
    if (type === null || type.asString() != "humidity" || value === null || !value.isNumber) continue;
    const v = value.asNumber();
    count++;
    sum += v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const out = JsonValue.object().setString("type", "humidity").setString("unit", "%").setInteger("count", count);
  if (count > 0) {
    out.setNumber("min", min).setNumber("max", max).setNumber("average", Math.round(sum / count * 100) / 100);
  }
  const from = inputs.length > 0 ? inputs[0] : staged;
  return MessageBuilder.from(from).setContentType("application/json").setPayloadJson(out).build();
}
