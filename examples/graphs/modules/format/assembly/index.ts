// format 1.0.0 (Azure IoT Operations' format sample): a map that turns a window's collected
// summaries into the final document
//   {"window_end":"2025-01-01T00:00:10.000Z","temperature":{...},"humidity":{...},"enrichment":{...}}
// Messages of a collection ({"messages":[...]}) go under their "type"; other fields are kept.
// Parameter `time_field` names the timestamp field (default "window_end").
import { JsonValue, Message, ModuleConfiguration } from "@eddy/smartmodule-sdk/graph";

let timeField = "window_end";

@operator_init
function init(config: ModuleConfiguration): bool {
  timeField = config.getOr("time_field", "window_end");
  return true;
}

function pad(v: i64, width: i32): string {
  let s = v.toString();
  while (s.length < width) s = "0" + s;
  return s;
}

/** Milliseconds since the epoch as ISO 8601 UTC (days-to-civil, Howard Hinnant's algorithm). */
function isoTime(ms: i64): string {
  let days = ms / 86_400_000;
  let rem = ms % 86_400_000;
  if (rem < 0) {
    rem += 86_400_000;
    days -= 1;
  }
  const z = days + 719468;
  const era = (z >= 0 ? z : z - 146096) / 146097;
  const doe = z - era * 146097;
  const yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const mp = (5 * doy + 2) / 153;
  const d = doy - (153 * mp + 2) / 5 + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return pad(y, 4) + "-" + pad(m, 2) + "-" + pad(d, 2) + "T" + pad(rem / 3_600_000, 2) + ":" +
    pad((rem / 60_000) % 60, 2) + ":" + pad((rem / 1000) % 60, 2) + "." + pad(rem % 1000, 3) + "Z";
}

@map_operator
function format(input: Message): Message {
  const json = input.payloadJson();
  const out = JsonValue.object().setString(timeField, isoTime(<i64>input.physicalTime));
  if (json === null || !json.isObject) {
    out.set("payload", json !== null ? json : JsonValue.string(input.payloadString()));
  } else {
    const keys = json.keys();
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i];
      const value = json.get(key)!;
      if (key == "messages" && value.isArray) {
        for (let j = 0; j < value.length; j++) {
          const item = value.at(j)!;
          const type = item.isObject ? item.get("type") : null;
          if (type !== null && type.isString) {
            item.delete("type");
            out.set(type.asString(), item);
          } else {
            out.set("message_" + j.toString(), item);
          }
        }
      } else if (key != "count") {
        out.set(key, value);
      }
    }
  }
  return input.toBuilder().setContentType("application/json").setPayloadJson(out).build();
}
