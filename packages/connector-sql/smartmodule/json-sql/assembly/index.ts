// json-sql: a map from plain JSON to a record in Fluvio's SQL model, driven by Fluvio's `mapping`
// parameter: {table, map-columns: {COLUMN: {json-key, value: {type, default, required}}}}.
// Optional (Eddy): "operation": "upsert" with "unique-columns": [COLUMN] gives {"Upsert":…}.
import { JsonValue, Params, SmartModuleRecord, fail, parseJson } from "@eddy/smartmodule-sdk";

class Column {
  name: string = "";
  path: string[] = [];
  sqlType: string = "";
  defaultValue: string | null = null;
  required: bool = false;
}

let table: string = "";
let upsertKey: string = "";
let columns: Column[] = [];

@init
function setup(params: Params): void {
  const text = params.get("mapping");
  if (text === null) {
    fail("missing required parameter \"mapping\"");
    return;
  }
  const mapping = parseJson(text);
  if (mapping === null || !mapping.isObject) {
    fail("mapping: not a JSON object");
    return;
  }
  const t = mapping.get("table");
  if (t === null || !t.isString || t.asString().length == 0) {
    fail("mapping.table: required (the table name)");
    return;
  }
  table = t.asString();
  const op = mapping.get("operation");
  if (op !== null && op.isString && op.asString() == "upsert") {
    const uniq = mapping.get("unique-columns");
    if (uniq === null || !uniq.isArray || uniq.length == 0 || !uniq.at(0)!.isString) {
      fail("mapping.unique-columns: an upsert needs the column of its unique index");
      return;
    }
    upsertKey = uniq.at(0)!.asString();
  }
  const map = mapping.get("map-columns");
  if (map === null || !map.isObject || map.length == 0) {
    fail("mapping.map-columns: required (at least one column)");
    return;
  }
  columns = [];
  for (let i = 0; i < map.length; i++) {
    const name = map.keyAt(i);
    const spec = map.at(i)!;
    const where = "mapping.map-columns." + name;
    const key = spec.get("json-key");
    if (key === null || !key.isString) {
      fail(where + ".json-key: required");
      return;
    }
    const value = spec.get("value");
    if (value === null) {
      fail(where + ".value.type: required");
      return;
    }
    const type = value.get("type");
    if (type === null || !type.isString) {
      fail(where + ".value.type: required");
      return;
    }
    const typeName = type.asString();
    const model = modelType(typeName.toLowerCase());
    if (model.length == 0) {
      fail(where + ".value.type: unknown type \"" + typeName + "\"");
      return;
    }
    const c = new Column();
    c.name = name;
    c.path = jsonPath(key.asString());
    c.sqlType = model;
    const def = value.get("default");
    if (def !== null && !def.isNull) c.defaultValue = rawValue(def);
    const req = value.get("required");
    c.required = req !== null && req.asBool();
    columns.push(c);
  }
}

@map
function toSql(record: SmartModuleRecord): SmartModuleRecord {
  const doc = record.valueJson(); // fails the record on malformed JSON
  if (doc === null) return record;
  const values = JsonValue.array();
  for (let i = 0; i < columns.length; i++) {
    const c = columns[i];
    const found = lookup(doc, c.path);
    let raw: string | null = found === null || found.isNull ? c.defaultValue : rawValue(found);
    if (raw === null) {
      if (c.required) {
        fail("required value for column \"" + c.name + "\" not found");
        return record;
      }
      continue;
    }
    values.push(JsonValue.object()
      .set("column", JsonValue.string(c.name))
      .set("raw_value", JsonValue.string(raw))
      .set("type", JsonValue.string(c.sqlType)));
  }
  const op = JsonValue.object().set("table", JsonValue.string(table)).set("values", values);
  if (upsertKey.length > 0) op.set("uniq_idx", JsonValue.string(upsertKey));
  return record.withJson(JsonValue.object().set(upsertKey.length > 0 ? "Upsert" : "Insert", op));
}

/** "device.id", "$.device.id", ".device.id" → ["device", "id"]; "$" → [] (the whole document). */
function jsonPath(key: string): string[] {
  let k = key;
  if (k.startsWith("$")) k = k.substring(1);
  if (k.startsWith(".")) k = k.substring(1);
  if (k.length == 0) return [];
  return k.split(".");
}

function lookup(doc: JsonValue, path: string[]): JsonValue | null {
  let v: JsonValue | null = doc;
  for (let i = 0; i < path.length && v !== null; i++) {
    const step = path[i];
    if (v.isArray) {
      const n = I32.parseInt(step);
      v = isNaN(n) ? null : v.at(n);
    } else if (v.isObject) {
      v = v.get(step);
    } else {
      v = null;
    }
  }
  return v;
}

/** A JSON value as the model's raw_value text: strings as they are, everything else as JSON. */
function rawValue(v: JsonValue): string {
  return v.isString ? v.asString() : v.stringify();
}

/** Fluvio's mapping type names → the SQL model's type ("" when unknown). */
function modelType(t: string): string {
  if (t == "int8" || t == "bigint") return "BigInt";
  if (t == "int4" || t == "int" || t == "integer") return "Int";
  if (t == "int2" || t == "smallint") return "SmallInt";
  if (t == "bool" || t == "boolean") return "Bool";
  if (t == "bytes" || t == "bytea") return "Bytes";
  if (t == "text") return "Text";
  if (t == "float4" || t == "float" || t == "real") return "Float";
  if (t == "float8" || t == "double precision" || t == "doubleprecision") return "DoublePrecision";
  if (t == "decimal" || t == "numeric") return "Numeric";
  if (t == "date") return "Date";
  if (t == "time") return "Time";
  if (t == "timestamp") return "Timestamp";
  if (t == "json" || t == "jsonb") return "Json";
  if (t == "uuid") return "Uuid";
  return "";
}
