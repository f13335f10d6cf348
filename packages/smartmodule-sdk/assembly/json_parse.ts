// A strict JSON (RFC 8259) parser over raw memory. Malformed input gives null and a
// message from jsonError(), never a trap.
import { ByteBuffer } from "./byte_buffer";
import { JsonValue } from "./json";
import { parseFloatBytes, parseIntBytes, parseOk } from "./numbers";

const MAX_DEPTH = 256;

let pos: usize = 0;
let end: usize = 0;
let start: usize = 0;
let errorMessage: string | null = null;
let depth = 0;
let unescapeBuffer: ByteBuffer | null = null;

/** Why the last parse returned null ("" after a successful parse). */
export function jsonError(): string {
  const e = errorMessage;
  return e === null ? "" : e;
}

function setError(what: string): void {
  if (errorMessage === null) {
    errorMessage = pos >= end
      ? "invalid JSON: " + what + " at end of input"
      : "invalid JSON: " + what + " at byte " + (pos - start).toString();
  }
}

/** Parses JSON text in memory [ptr, ptr + len); null (see jsonError()) when malformed. */
export function parseJsonBytes(ptr: usize, len: i32): JsonValue | null {
  pos = ptr;
  start = ptr;
  end = ptr + <usize>len;
  errorMessage = null;
  depth = 0;
  skipSpace();
  const v = parseValue();
  if (v === null) return null;
  skipSpace();
  if (pos < end) {
    setError("unexpected trailing characters");
    return null;
  }
  return v;
}

/** Parses JSON text from a string; null (see jsonError()) when malformed. */
export function parseJson(text: string): JsonValue | null {
  const bytes = String.UTF8.encode(text);
  return parseJsonBytes(changetype<usize>(bytes), bytes.byteLength);
}

/** Parses JSON held in a Uint8Array; null (see jsonError()) when malformed. */
export function parseJsonArray(bytes: Uint8Array): JsonValue | null {
  return parseJsonBytes(bytes.dataStart, bytes.length);
}

@inline function skipSpace(): void {
  while (pos < end) {
    const c = load<u8>(pos);
    if (c != 0x20 && c != 0x0a && c != 0x0d && c != 0x09) break;
    pos++;
  }
}

function parseValue(): JsonValue | null {
  if (pos >= end) {
    setError("expected a value");
    return null;
  }
  const c = load<u8>(pos);
  if (c == 0x7b) return parseObject();
  if (c == 0x5b) return parseArray();
  if (c == 0x22) {
    const s = parseString();
    return s === null ? null : JsonValue.string(s);
  }
  if (c == 0x2d || (c >= 0x30 && c <= 0x39)) return parseNumber();
  if (literal("true")) return JsonValue.bool(true);
  if (literal("false")) return JsonValue.bool(false);
  if (literal("null")) return JsonValue.null();
  setError("unexpected character");
  return null;
}

function literal(word: string): bool {
  const n = <usize>word.length;
  if (end - pos < n) return false;
  for (let i: usize = 0; i < n; i++) {
    if (<u32>load<u8>(pos + i) != <u32>word.charCodeAt(<i32>i)) return false;
  }
  pos += n;
  return true;
}

function parseObject(): JsonValue | null {
  if (++depth > MAX_DEPTH) {
    setError("nesting deeper than 256");
    return null;
  }
  pos++; // {
  const obj = JsonValue.object();
  skipSpace();
  if (pos < end && load<u8>(pos) == 0x7d) {
    pos++;
    depth--;
    return obj;
  }
  while (true) {
    skipSpace();
    if (pos >= end || load<u8>(pos) != 0x22) {
      setError("expected a string key");
      return null;
    }
    const key = parseString();
    if (key === null) return null;
    skipSpace();
    if (pos >= end || load<u8>(pos) != 0x3a) {
      setError("expected ':'");
      return null;
    }
    pos++;
    skipSpace();
    const value = parseValue();
    if (value === null) return null;
    obj.addMember(key, value);
    skipSpace();
    if (pos < end && load<u8>(pos) == 0x2c) {
      pos++;
      continue;
    }
    if (pos < end && load<u8>(pos) == 0x7d) {
      pos++;
      depth--;
      return obj;
    }
    setError("expected ',' or '}'");
    return null;
  }
}

function parseArray(): JsonValue | null {
  if (++depth > MAX_DEPTH) {
    setError("nesting deeper than 256");
    return null;
  }
  pos++; // [
  const arr = JsonValue.array();
  skipSpace();
  if (pos < end && load<u8>(pos) == 0x5d) {
    pos++;
    depth--;
    return arr;
  }
  while (true) {
    skipSpace();
    const value = parseValue();
    if (value === null) return null;
    arr.push(value);
    skipSpace();
    if (pos < end && load<u8>(pos) == 0x2c) {
      pos++;
      continue;
    }
    if (pos < end && load<u8>(pos) == 0x5d) {
      pos++;
      depth--;
      return arr;
    }
    setError("expected ',' or ']'");
    return null;
  }
}

function hexDigit(c: u32): i32 {
  if (c >= 0x30 && c <= 0x39) return <i32>(c - 0x30);
  const l = c | 0x20;
  if (l >= 0x61 && l <= 0x66) return <i32>(l - 0x61 + 10);
  return -1;
}

function readHex4(at: usize): i32 {
  if (end - at < 4) return -1;
  let v = 0;
  for (let i: usize = 0; i < 4; i++) {
    const d = hexDigit(load<u8>(at + i));
    if (d < 0) return -1;
    v = (v << 4) | d;
  }
  return v;
}

function putUtf8(buf: ByteBuffer, cp: u32): void {
  if (cp < 0x80) {
    buf.u8(<u8>cp);
  } else if (cp < 0x800) {
    buf.u8(<u8>(0xc0 | (cp >> 6)));
    buf.u8(<u8>(0x80 | (cp & 0x3f)));
  } else if (cp < 0x10000) {
    buf.u8(<u8>(0xe0 | (cp >> 12)));
    buf.u8(<u8>(0x80 | ((cp >> 6) & 0x3f)));
    buf.u8(<u8>(0x80 | (cp & 0x3f)));
  } else {
    buf.u8(<u8>(0xf0 | (cp >> 18)));
    buf.u8(<u8>(0x80 | ((cp >> 12) & 0x3f)));
    buf.u8(<u8>(0x80 | ((cp >> 6) & 0x3f)));
    buf.u8(<u8>(0x80 | (cp & 0x3f)));
  }
}

function parseString(): string | null {
  pos++; // opening quote
  const from = pos;
  let escaped = false;
  while (true) {
    if (pos >= end) {
      setError("unterminated string");
      return null;
    }
    const c = load<u8>(pos);
    if (c == 0x22) break;
    if (c < 0x20) {
      setError("control character in string");
      return null;
    }
    if (c == 0x5c) {
      escaped = true;
      pos += 2;
      continue;
    }
    pos++;
  }
  const to = pos;
  pos++; // closing quote
  if (!escaped) return String.UTF8.decodeUnsafe(from, to - from);

  let buf = unescapeBuffer;
  if (buf === null) unescapeBuffer = buf = new ByteBuffer();
  buf.clear();
  let p = from;
  while (p < to) {
    const c = load<u8>(p);
    if (c != 0x5c) {
      buf.u8(c);
      p++;
      continue;
    }
    const e = load<u8>(p + 1);
    p += 2;
    if (e == 0x22 || e == 0x5c || e == 0x2f) buf.u8(e);
    else if (e == 0x6e) buf.u8(0x0a);
    else if (e == 0x74) buf.u8(0x09);
    else if (e == 0x72) buf.u8(0x0d);
    else if (e == 0x62) buf.u8(0x08);
    else if (e == 0x66) buf.u8(0x0c);
    else if (e == 0x75) {
      let cp = readHex4(p);
      if (cp < 0) {
        pos = p;
        setError("bad \\u escape");
        return null;
      }
      p += 4;
      if (cp >= 0xd800 && cp <= 0xdbff && to - p >= 6 && load<u8>(p) == 0x5c && load<u8>(p + 1) == 0x75) {
        const low = readHex4(p + 2);
        if (low >= 0xdc00 && low <= 0xdfff) {
          cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
          p += 6;
        }
      }
      putUtf8(buf, <u32>cp);
    } else {
      pos = p - 1;
      setError("bad escape");
      return null;
    }
  }
  return buf.toStringFrom(0);
}

function parseNumber(): JsonValue | null {
  const from = pos;
  if (load<u8>(pos) == 0x2d) pos++;
  if (pos >= end) {
    setError("bad number");
    return null;
  }
  let c = load<u8>(pos);
  if (c == 0x30) {
    pos++;
  } else if (c >= 0x31 && c <= 0x39) {
    while (pos < end && <u32>load<u8>(pos) - 0x30 <= 9) pos++;
  } else {
    setError("bad number");
    return null;
  }
  let integral = true;
  if (pos < end && load<u8>(pos) == 0x2e) {
    integral = false;
    pos++;
    const digitsFrom = pos;
    while (pos < end && <u32>load<u8>(pos) - 0x30 <= 9) pos++;
    if (pos == digitsFrom) {
      setError("bad number");
      return null;
    }
  }
  if (pos < end && (load<u8>(pos) | 0x20) == 0x65) {
    integral = false;
    pos++;
    if (pos < end && (load<u8>(pos) == 0x2b || load<u8>(pos) == 0x2d)) pos++;
    const digitsFrom = pos;
    while (pos < end && <u32>load<u8>(pos) - 0x30 <= 9) pos++;
    if (pos == digitsFrom) {
      setError("bad number");
      return null;
    }
  }
  const len = <i32>(pos - from);
  if (integral) {
    const v = parseIntBytes(from, len);
    if (parseOk()) return JsonValue.integer(v);
  }
  return JsonValue.number(parseFloatBytes(from, len));
}
