// Correctly rounded decimal-to-f64 for the inputs Clinger's fast path cannot take: start
// from a floating-point estimate (a few units in the last place off at most) and correct it
// by comparing the exact decimal value with the halfway points next to the candidate, in
// big-integer arithmetic (round half to even, as JavaScript does). AssemblyScript's own
// parseFloat is not used: it is off by far more than that for some inputs.
import { BigUint } from "./bignum";

const MAX_DIGITS = 800; // beyond this, digits only matter as "something non-zero follows"

/** The f64 nearest to the decimal number in [start, end) (syntax already checked, no sign). */
export function parseFloatExact(start: usize, end: usize): f64 {
  // all digits as one integer D, with value = D * 10^e10
  const digits = new BigUint();
  let count = 0;
  let e10: i32 = 0;
  let sticky = false;
  let p = start;
  let fraction = false;
  let chunk: u32 = 0;
  let chunkLength = 0;
  let leading: u64 = 0; // the first 19 significant digits, for the estimate
  while (p < end) {
    const c = load<u8>(p);
    if (c == 0x2e) {
      fraction = true;
      p++;
      continue;
    }
    const d = <u32>c - 0x30;
    if (d > 9) break;
    p++;
    if (fraction) e10--;
    if (count == 0 && d == 0) continue; // leading zero
    if (count >= MAX_DIGITS) {
      e10++;
      if (d != 0) sticky = true;
      continue;
    }
    count++;
    if (count <= 19) leading = leading * 10 + d;
    chunk = chunk * 10 + d;
    if (++chunkLength == 9) {
      digits.mulAdd(1000000000, chunk);
      chunk = 0;
      chunkLength = 0;
    }
  }
  if (chunkLength > 0) {
    let scale: u32 = 1;
    for (let i = 0; i < chunkLength; i++) scale *= 10;
    digits.mulAdd(scale, chunk);
  }
  if (p < end) {
    // exponent: [eE][+-]digits
    p++;
    let negative = false;
    if (load<u8>(p) == 0x2d || load<u8>(p) == 0x2b) {
      negative = load<u8>(p) == 0x2d;
      p++;
    }
    let e: i32 = 0;
    while (p < end) {
      if (e < 100000) e = e * 10 + <i32>(load<u8>(p) - 0x30);
      p++;
    }
    e10 += negative ? -e : e;
  }
  if (digits.isZero()) return 0;
  if (e10 > 400) return Infinity;
  if (e10 + count < -400) return 0;

  let candidate = scale10(<f64>leading, e10 + (count > 19 ? count - 19 : 0));
  if (candidate == Infinity) candidate = f64.MAX_VALUE;
  if (candidate == 0) candidate = f64.MIN_VALUE;

  for (let round = 0; round < 64; round++) {
    const bits = reinterpret<u64>(candidate);
    const biased = <i32>((bits >>> 52) & 0x7ff);
    const frac = bits & 0xfffffffffffff;
    const m: u64 = biased == 0 ? frac : frac | 0x10000000000000;
    const k: i32 = biased == 0 ? -1074 : biased - 1075;

    // above the midpoint to the next value up?
    const up = compareScaled(digits, e10, (m << 1) + 1, k - 1, sticky);
    if (up > 0 || (up == 0 && (m & 1))) {
      if (bits == 0x7fefffffffffffff) return Infinity;
      candidate = reinterpret<f64>(bits + 1);
      if (up > 0) continue;
      return candidate;
    }
    // below the midpoint to the next value down? (half the gap below a power of two)
    const narrow = frac == 0 && biased > 1;
    const down = narrow
      ? compareScaled(digits, e10, (m << 2) - 1, k - 2, sticky)
      : compareScaled(digits, e10, (m << 1) - 1, k - 1, sticky);
    if (down < 0 || (down == 0 && (m & 1))) {
      if (bits == 1) return 0;
      candidate = reinterpret<f64>(bits - 1);
      if (down < 0) continue;
      return candidate;
    }
    return candidate;
  }
  return candidate;
}

/** v * 10^e, within a few units in the last place. */
function scale10(v: f64, e: i32): f64 {
  if (e >= 0) {
    if (e > 300) {
      v *= 1e300;
      e -= 300;
    }
    return v * Math.pow(10, <f64>e);
  }
  e = -e;
  if (e > 300) {
    v /= 1e300;
    e -= 300;
  }
  return v / Math.pow(10, <f64>e);
}

/** Compares D * 10^e10 (plus a sliver when `sticky`) with r * 2^e2. */
function compareScaled(digits: BigUint, e10: i32, r: u64, e2: i32, sticky: bool): i32 {
  const left = new BigUint();
  left.limbs = digits.limbs.slice(0);
  const right = BigUint.of(r);
  // D * 5^e10 * 2^e10  vs  r * 2^e2
  if (e10 >= 0) left.mulPow5(e10);
  else right.mulPow5(-e10);
  const shift = e10 - e2;
  if (shift >= 0) left.shl(shift);
  else right.shl(-shift);
  const c = left.compare(right);
  return c == 0 && sticky ? 1 : c;
}
