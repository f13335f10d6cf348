// collection 1.0.0 (Azure IoT Operations' collection sample): accumulate every message of one
// timestamp into one JSON document {"count":n,"messages":[payload, ...]} (payloads that are not
// JSON go in as strings), in the host's canonical order.
import { JsonValue, Message, MessageBuilder } from "@eddy/smartmodule-sdk/graph";

@accumulate_operator
function collect(staged: Message, inputs: Message[]): Message {
  const messages = JsonValue.array();
  for (let i = 0; i < inputs.length; i++) {
    const json = inputs[i].payloadJson();
    messages.push(json !== null ? json : JsonValue.string(inputs[i].payloadString()));
  }
  const out = JsonValue.object().setInteger("count", inputs.length).set("messages", messages);
  const from = inputs.length > 0 ? inputs[0] : staged;
  return MessageBuilder.from(from).setContentType("application/json").setPayloadJson(out).build();
}
