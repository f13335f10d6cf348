// Numbers from and to text, straight from raw bytes. Parsers report success through
// `parseOk()` rather than trapping, so an author can turn bad input into `fail(..)`.
import { parseFloatExact } from "./float_parse";

let lastOk: bool = true;

/** Whether the last parseInt... or parseFloat... call read a complete, valid number. */
export function parseOk(): bool {
  return lastOk;
}

@inline function isSpace(c: u32): bool {
  return c == 0x20 || c == 0x09 || c == 0x0a || c == 0x0d;
}

/**
 * Parses a base-10 integer from memory [ptr, ptr + len): optional sign, digits, with
 * surrounding ASCII whitespace allowed. Returns 0 and sets parseOk() false when the text
 * is not an integer or does not fit in i64.
 */
export function parseIntBytes(ptr: usize, len: i32): i64 {
  let p = ptr;
  let end = ptr + <usize>len;
  while (p < end && isSpace(load<u8>(p))) p++;
  while (end > p && isSpace(load<u8>(end - 1))) end--;
  lastOk = false;
  if (p == end) return 0;
  let negative = false;
  const sign = load<u8>(p);
  if (sign == 0x2d || sign == 0x2b) {
    negative = sign == 0x2d;
    p++;
    if (p == end) return 0;
  }
  // accumulate as a negative number so i64.MIN_VALUE fits
  let acc: i64 = 0;
  while (p < end) {
    const d = <i32>load<u8>(p) - 0x30;
    if (<u32>d > 9) return 0;
    if (acc < (i64.MIN_VALUE + d) / 10) return 0; // overflow
    acc = acc * 10 - d;
    p++;
  }
  if (!negative) {
    if (acc == i64.MIN_VALUE) return 0;
    acc = -acc;
  }
  lastOk = true;
  return acc;
}

// Exact powers of ten for the fast float path (10^0 .. 10^22 are exact in f64).
const POW10: StaticArray<f64> = [
  1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
  1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/**
 * Parses a decimal number (JSON/JavaScript syntax: sign, digits, fraction, exponent;
 * also "Infinity"/"NaN" are rejected) from memory [ptr, ptr + len), allowing surrounding
 * ASCII whitespace. Sets parseOk() false and returns NaN when the text is not a number.
 */
export function parseFloatBytes(ptr: usize, len: i32): f64 {
  let p = ptr;
  let end = ptr + <usize>len;
  while (p < end && isSpace(load<u8>(p))) p++;
  while (end > p && isSpace(load<u8>(end - 1))) end--;
  const start = p;
  lastOk = false;
  if (p == end) return NaN;
  let negative = false;
  let c = load<u8>(p);
  if (c == 0x2d || c == 0x2b) {
    negative = c == 0x2d;
    p++;
  }
  let mantissa: u64 = 0;
  let digits = 0; // significant digits kept in mantissa
  let dropped = 0; // integer digits beyond what mantissa holds
  let exp10 = 0;
  let sawDigit = false;
  while (p < end) {
    const d = <u32>load<u8>(p) - 0x30;
    if (d > 9) break;
    sawDigit = true;
    if (digits < 19) {
      mantissa = mantissa * 10 + d;
      if (mantissa != 0) digits++;
    } else {
      dropped++;
    }
    p++;
  }
  exp10 += dropped;
  if (p < end && load<u8>(p) == 0x2e) {
    p++;
    let fraction = false;
    while (p < end) {
      const d = <u32>load<u8>(p) - 0x30;
      if (d > 9) break;
      fraction = true;
      if (digits < 19) {
        mantissa = mantissa * 10 + d;
        if (mantissa != 0) digits++;
        exp10--;
      }
      p++;
    }
    if (!fraction && !sawDigit) return NaN;
    sawDigit = sawDigit || fraction;
  }
  if (!sawDigit) return NaN;
  if (p < end && (load<u8>(p) | 0x20) == 0x65) {
    p++;
    let expNegative = false;
    if (p < end && (load<u8>(p) == 0x2d || load<u8>(p) == 0x2b)) {
      expNegative = load<u8>(p) == 0x2d;
      p++;
    }
    let e = 0;
    let expDigits = false;
    while (p < end) {
      const d = <i32>load<u8>(p) - 0x30;
      if (<u32>d > 9) break;
      expDigits = true;
      if (e < 100000) e = e * 10 + d;
      p++;
    }
    if (!expDigits) return NaN;
    exp10 += expNegative ? -e : e;
  }
  if (p != end) return NaN;
  lastOk = true;
  let value: f64;
  if (mantissa == 0) {
    value = 0;
  } else if (digits <= 15 && exp10 >= -22 && exp10 <= 22) {
    // Clinger's fast path: both operands exact, one rounding
    value = <f64>mantissa;
    value = exp10 < 0 ? value / unchecked(POW10[-exp10]) : value * unchecked(POW10[exp10]);
  } else {
    value = parseFloatExact(negative || load<u8>(start) == 0x2b ? start + 1 : start, end);
  }
  return negative ? -value : value;
}

/** parseIntBytes over a string. */
export function parseIntString(s: string): i64 {
  const bytes = String.UTF8.encode(s);
  return parseIntBytes(changetype<usize>(bytes), bytes.byteLength);
}

/** parseFloatBytes over a string. */
export function parseFloatString(s: string): f64 {
  const bytes = String.UTF8.encode(s);
  return parseFloatBytes(changetype<usize>(bytes), bytes.byteLength);
}

/** An integer as decimal text. */
export function formatInt(v: i64): string {
  return v.toString();
}

/**
 * A float as JavaScript's String(number) / JSON.stringify would write it: shortest text
 * that reads back to the same value, "212" rather than "212.0"; NaN and infinities give
 * "null" (they have no JSON form).
 */
export function formatFloat(v: f64): string {
  if (!isFinite(v)) return "null";
  if (v == Math.floor(v) && Math.abs(v) < 1e21) {
    // integral: AssemblyScript prints "212.0"; drop the ".0" (and "-0" reads as 0)
    if (v == 0) return "0";
    if (Math.abs(v) < 9007199254740992) return (<i64>v).toString();
  }
  const s = v.toString();
  return s.endsWith(".0") ? s.substring(0, s.length - 2) : s;
}
