// Parameter text read as Rust's `str::parse::<f64>()` reads it (what Azure's samples use):
// an optional sign, digits with an optional point and exponent, or inf / infinity / nan in any
// case. No surrounding spaces, no hex, no empty string. Anything else gives NaN.
import { parseFloatString, parseOk } from "@eddy/smartmodule-sdk/graph";

function isDigit(c: i32): bool {
  return c >= 0x30 && c <= 0x39;
}

/** The value, or NaN when Rust would refuse the text (a literal "nan" also gives NaN). */
export function parseRustFloat(text: string): f64 {
  let i = 0;
  const n = text.length;
  let neg = false;
  if (i < n && (text.charCodeAt(i) == 0x2b || text.charCodeAt(i) == 0x2d)) {
    neg = text.charCodeAt(i) == 0x2d;
    i++;
  }
  const rest = text.substring(i).toLowerCase();
  if (rest == "inf" || rest == "infinity") return neg ? -Infinity : Infinity;
  if (rest == "nan") return NaN;
  let digits = 0;
  while (i < n && isDigit(text.charCodeAt(i))) { i++; digits++; }
  if (i < n && text.charCodeAt(i) == 0x2e) {
    i++;
    while (i < n && isDigit(text.charCodeAt(i))) { i++; digits++; }
  }
  if (digits == 0) return NaN;
  if (i < n && (text.charCodeAt(i) == 0x65 || text.charCodeAt(i) == 0x45)) {
    i++;
    if (i < n && (text.charCodeAt(i) == 0x2b || text.charCodeAt(i) == 0x2d)) i++;
    let exp = 0;
    while (i < n && isDigit(text.charCodeAt(i))) { i++; exp++; }
    if (exp == 0) return NaN;
  }
  if (i != n) return NaN;
  const v = parseFloatString(text);
  return parseOk() ? v : NaN;
}
