// A small JSON value type with a writer. (The parser is in json_parse.ts.)
//
// Why not a library: assemblyscript-json compiles with asc 0.28 but asserts (traps the
// whole module) on malformed input and writes control characters unescaped; json-as needs a
// compiler transform and decorated classes. A SmartModule must turn a bad record into an
// error with its offset, so the SDK carries its own reader and writer.
import { ByteBuffer } from "./byte_buffer";
import { formatFloat } from "./numbers";

export const JSON_NULL: u8 = 0;
export const JSON_BOOL: u8 = 1;
export const JSON_NUMBER: u8 = 2;
export const JSON_STRING: u8 = 3;
export const JSON_ARRAY: u8 = 4;
export const JSON_OBJECT: u8 = 5;

/** One JSON value of any kind; objects keep their keys in insertion order. */
export class JsonValue {
  kind: u8 = JSON_NULL;
  private b: bool = false;
  private num: f64 = 0;
  /** Integers that fit i64 exactly are kept as such, so large ids survive a round trip. */
  private int: i64 = 0;
  private integral: bool = false;
  private str: string = "";
  private items: JsonValue[] | null = null;
  private keyList: string[] | null = null;

  static null(): JsonValue {
    return new JsonValue();
  }

  static bool(v: bool): JsonValue {
    const j = new JsonValue();
    j.kind = JSON_BOOL;
    j.b = v;
    return j;
  }

  static number(v: f64): JsonValue {
    const j = new JsonValue();
    j.kind = JSON_NUMBER;
    j.num = v;
    if (v == Math.floor(v) && Math.abs(v) <= 9007199254740991) {
      j.int = <i64>v;
      j.integral = true;
    }
    return j;
  }

  static integer(v: i64): JsonValue {
    const j = new JsonValue();
    j.kind = JSON_NUMBER;
    j.num = <f64>v;
    j.int = v;
    j.integral = true;
    return j;
  }

  static string(v: string): JsonValue {
    const j = new JsonValue();
    j.kind = JSON_STRING;
    j.str = v;
    return j;
  }

  static array(): JsonValue {
    const j = new JsonValue();
    j.kind = JSON_ARRAY;
    j.items = [];
    return j;
  }

  static object(): JsonValue {
    const j = new JsonValue();
    j.kind = JSON_OBJECT;
    j.items = [];
    j.keyList = [];
    return j;
  }

  get isNull(): bool { return this.kind == JSON_NULL; }
  get isBool(): bool { return this.kind == JSON_BOOL; }
  get isNumber(): bool { return this.kind == JSON_NUMBER; }
  get isString(): bool { return this.kind == JSON_STRING; }
  get isArray(): bool { return this.kind == JSON_ARRAY; }
  get isObject(): bool { return this.kind == JSON_OBJECT; }
  /** A number with no fractional part that fits i64. */
  get isInteger(): bool { return this.kind == JSON_NUMBER && this.integral; }

  /** The boolean; false for other kinds. */
  asBool(): bool { return this.kind == JSON_BOOL && this.b; }
  /** The number; NaN for other kinds. */
  asNumber(): f64 { return this.kind == JSON_NUMBER ? this.num : NaN; }
  /** The number as i64 (exact for integers, truncated otherwise); 0 for other kinds. */
  asInt(): i64 {
    if (this.kind != JSON_NUMBER) return 0;
    return this.integral ? this.int : <i64>this.num;
  }
  /** The string; "" for other kinds (use stringify() for JSON text). */
  asString(): string { return this.kind == JSON_STRING ? this.str : ""; }

  /** Elements of an array or values of an object, in order; empty for other kinds. */
  get length(): i32 {
    const items = this.items;
    return items === null ? 0 : items.length;
  }

  /** Array element `i` (or the i-th value of an object); null when out of range. */
  at(i: i32): JsonValue | null {
    const items = this.items;
    if (items === null || i < 0 || i >= items.length) return null;
    return unchecked(items[i]);
  }

  /** Object member `key`; null when absent or when this is not an object. */
  get(key: string): JsonValue | null {
    const keys = this.keyList;
    if (keys === null) return null;
    // last one wins, as in JavaScript's JSON.parse
    for (let i = keys.length - 1; i >= 0; i--) {
      if (unchecked(keys[i]) == key) return unchecked(this.items![i]);
    }
    return null;
  }

  has(key: string): bool {
    return this.get(key) !== null;
  }

  /** Object key `i` (in insertion order); "" when out of range. */
  keyAt(i: i32): string {
    const keys = this.keyList;
    if (keys === null || i < 0 || i >= keys.length) return "";
    return unchecked(keys[i]);
  }

  /** Appends an object member without looking for an earlier one (parser fast path). */
  addMember(key: string, value: JsonValue): void {
    const keys = this.keyList;
    if (keys === null) return;
    keys.push(key);
    this.items!.push(value);
  }

  /** Object keys in order; empty for other kinds. */
  keys(): string[] {
    const keys = this.keyList;
    return keys === null ? [] : keys.slice(0);
  }

  /** Sets object member `key` (replacing it if present); returns this. */
  set(key: string, value: JsonValue): JsonValue {
    const keys = this.keyList;
    if (keys === null) return this;
    for (let i = keys.length - 1; i >= 0; i--) {
      if (unchecked(keys[i]) == key) {
        this.items![i] = value;
        return this;
      }
    }
    keys.push(key);
    this.items!.push(value);
    return this;
  }

  /** Removes object member `key`; returns this. */
  delete(key: string): JsonValue {
    const keys = this.keyList;
    if (keys === null) return this;
    for (let i = keys.length - 1; i >= 0; i--) {
      if (unchecked(keys[i]) == key) {
        keys.splice(i, 1);
        this.items!.splice(i, 1);
      }
    }
    return this;
  }

  /** Appends to an array; returns this. */
  push(value: JsonValue): JsonValue {
    if (this.kind == JSON_ARRAY) this.items!.push(value);
    return this;
  }

  setString(key: string, v: string): JsonValue { return this.set(key, JsonValue.string(v)); }
  setNumber(key: string, v: f64): JsonValue { return this.set(key, JsonValue.number(v)); }
  setInteger(key: string, v: i64): JsonValue { return this.set(key, JsonValue.integer(v)); }
  setBool(key: string, v: bool): JsonValue { return this.set(key, JsonValue.bool(v)); }

  /** Compact JSON text. */
  stringify(): string {
    const buf = jsonScratch();
    const from = buf.length;
    writeJson(buf, this);
    const s = buf.toStringFrom(from);
    buf.length = from;
    return s;
  }

  /** Compact JSON as UTF-8 bytes. */
  toBytes(): Uint8Array {
    const buf = jsonScratch();
    const from = buf.length;
    writeJson(buf, this);
    const bytes = buf.toBytesFrom(from);
    buf.length = from;
    return bytes;
  }

  toString(): string {
    return this.stringify();
  }
}

let scratch: ByteBuffer | null = null;

/** A shared scratch buffer for JSON text (SDK internal). */
export function jsonScratch(): ByteBuffer {
  let s = scratch;
  if (s === null) scratch = s = new ByteBuffer();
  return s;
}

const HEX = "0123456789abcdef";

function writeEscapedString(buf: ByteBuffer, s: string): void {
  buf.u8(0x22);
  const n = s.length;
  let i = 0;
  while (i < n) {
    const c = <u32>s.charCodeAt(i);
    if (c < 0x80) {
      if (c == 0x22 || c == 0x5c) {
        buf.u8(0x5c);
        buf.u8(<u8>c);
      } else if (c >= 0x20) {
        buf.u8(<u8>c);
      } else if (c == 0x0a) {
        buf.u8(0x5c); buf.u8(0x6e);
      } else if (c == 0x0d) {
        buf.u8(0x5c); buf.u8(0x72);
      } else if (c == 0x09) {
        buf.u8(0x5c); buf.u8(0x74);
      } else if (c == 0x08) {
        buf.u8(0x5c); buf.u8(0x62);
      } else if (c == 0x0c) {
        buf.u8(0x5c); buf.u8(0x66);
      } else {
        writeUnicodeEscape(buf, c);
      }
      i++;
    } else if (c < 0x800) {
      buf.u8(<u8>(0xc0 | (c >> 6)));
      buf.u8(<u8>(0x80 | (c & 0x3f)));
      i++;
    } else if (c >= 0xd800 && c <= 0xdbff && i + 1 < n && (<u32>s.charCodeAt(i + 1) & 0xfc00) == 0xdc00) {
      const cp = 0x10000 + ((c - 0xd800) << 10) + (<u32>s.charCodeAt(i + 1) - 0xdc00);
      buf.u8(<u8>(0xf0 | (cp >> 18)));
      buf.u8(<u8>(0x80 | ((cp >> 12) & 0x3f)));
      buf.u8(<u8>(0x80 | ((cp >> 6) & 0x3f)));
      buf.u8(<u8>(0x80 | (cp & 0x3f)));
      i += 2;
    } else if (c >= 0xd800 && c <= 0xdfff) {
      // a lone surrogate has no UTF-8 form; JSON can still carry it escaped
      writeUnicodeEscape(buf, c);
      i++;
    } else {
      buf.u8(<u8>(0xe0 | (c >> 12)));
      buf.u8(<u8>(0x80 | ((c >> 6) & 0x3f)));
      buf.u8(<u8>(0x80 | (c & 0x3f)));
      i++;
    }
  }
  buf.u8(0x22);
}

function writeUnicodeEscape(buf: ByteBuffer, c: u32): void {
  buf.u8(0x5c);
  buf.u8(0x75);
  buf.u8(<u8>HEX.charCodeAt((c >> 12) & 0xf));
  buf.u8(<u8>HEX.charCodeAt((c >> 8) & 0xf));
  buf.u8(<u8>HEX.charCodeAt((c >> 4) & 0xf));
  buf.u8(<u8>HEX.charCodeAt(c & 0xf));
}

/** Writes `v` as compact JSON text into `buf`. */
export function writeJson(buf: ByteBuffer, v: JsonValue): void {
  switch (v.kind) {
    case JSON_NULL:
      buf.utf8("null");
      break;
    case JSON_BOOL:
      buf.utf8(v.asBool() ? "true" : "false");
      break;
    case JSON_NUMBER:
      buf.utf8(v.isInteger ? v.asInt().toString() : formatFloat(v.asNumber()));
      break;
    case JSON_STRING:
      writeEscapedString(buf, v.asString());
      break;
    case JSON_ARRAY: {
      buf.u8(0x5b);
      const n = v.length;
      for (let i = 0; i < n; i++) {
        if (i > 0) buf.u8(0x2c);
        writeJson(buf, v.at(i)!);
      }
      buf.u8(0x5d);
      break;
    }
    default: {
      buf.u8(0x7b);
      const n = v.length;
      for (let i = 0; i < n; i++) {
        if (i > 0) buf.u8(0x2c);
        writeEscapedString(buf, v.keyAt(i));
        buf.u8(0x3a);
        writeJson(buf, v.at(i)!);
      }
      buf.u8(0x7d);
    }
  }
}
