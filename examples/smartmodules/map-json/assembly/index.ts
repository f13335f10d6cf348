// The temperature converter of the seed's data-flow guide: a JSON message whose
// value.temperature is in Celsius gets value = { temperature_fahrenheit, original_celsius }.
// Messages that are not JSON, or carry no numeric value.temperature, pass unchanged.
import { JsonValue, SmartModuleRecord } from "@eddy/smartmodule-sdk";

@map
function toFahrenheit(record: SmartModuleRecord): SmartModuleRecord {
  const data = record.tryValueJson();
  if (data === null) return record;
  const value = data.get("value");
  if (value === null) return record;
  const temperature = value.get("temperature");
  if (temperature === null || !temperature.isNumber) return record;
  const celsius = temperature.asNumber();
  const converted = JsonValue.object()
    .setNumber("temperature_fahrenheit", celsius * 9.0 / 5.0 + 32.0)
    .setNumber("original_celsius", celsius);
  data.set("value", converted);
  return record.withJson(data);
}
