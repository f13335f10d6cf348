// enrichment 1.0.0 (Azure IoT Operations' enrichment sample): a map that adds values from the
// graph's state store to each JSON object payload as "enrichment": {"factory": "...", "line": null}.
// Parameter `keys`: comma-separated state store keys, default "factory,line" (seed them with
// `--state factory=Berlin`). A missing key reads as null. Other payloads pass unchanged.
import { JsonValue, Message, ModuleConfiguration, fail, stateStore } from "@eddy/smartmodule-sdk/graph";

let keys: string[] = ["factory", "line"];

@operator_init
function init(config: ModuleConfiguration): bool {
  const text = config.get("keys");
  if (text === null) return true;
  const list = new Array<string>();
  const parts = text.split(",");
  for (let i = 0; i < parts.length; i++) {
    const k = parts[i].trim();
    if (k.length > 0) list.push(k);
  }
  if (list.length == 0) {
    fail("keys names no state store key: \"" + text + "\"");
    return false;
  }
  keys = list;
  return true;
}

@map_operator
function enrich(input: Message): Message {
  const json = input.payloadJson();
  if (json === null || !json.isObject) return input;
  const enrichment = JsonValue.object();
  for (let i = 0; i < keys.length; i++) {
    const value = stateStore.get(keys[i]);
    enrichment.set(keys[i], value === null ? JsonValue.null() : JsonValue.string(value));
  }
  json.set("enrichment", enrichment);
  return input.toBuilder().setPayloadJson(json).build();
}
