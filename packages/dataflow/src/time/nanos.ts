/**
 * Physical time: u64 nanoseconds since the Unix epoch (the ABI's unit, as Azure's HLC). Such
 * values pass 2^53, so a JS number cannot hold one exactly. Object APIs use bigint; the hot path
 * uses the pair (ms, sub) = (floor(ns / 1e6), ns mod 1e6), two exact doubles that compare in that
 * order and are read from and written to the 8 little-endian bytes without allocating.
 */

export const NS_PER_MS = 1_000_000;
const NS_PER_MS_N = 1_000_000n;
const U64_MAX = (1n << 64n) - 1n;
// 2^32 = 4294·1e6 + 967296: splits hi·2^32 into whole ms and a remainder that stays exact.
const TWO_32 = 2 ** 32;
const HI_MS = 4294;
const HI_REST = 967_296;

/** Whole milliseconds of the u64 ns at `p` (little-endian). */
export function msAt(b: Uint8Array, p: number): number {
  const lo = (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16)) + b[p + 3] * 0x1000000;
  const hi = (b[p + 4] | (b[p + 5] << 8) | (b[p + 6] << 16)) + b[p + 7] * 0x1000000;
  // hi·967296 + lo < 2^53: exact
  return hi * HI_MS + Math.floor((hi * HI_REST + lo) / NS_PER_MS);
}

/** Nanoseconds past the whole millisecond of the u64 ns at `p` (0 … 999999). */
export function subAt(b: Uint8Array, p: number): number {
  const lo = (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16)) + b[p + 3] * 0x1000000;
  const hi = (b[p + 4] | (b[p + 5] << 8) | (b[p + 6] << 16)) + b[p + 7] * 0x1000000;
  return (hi * HI_REST + lo) % NS_PER_MS;
}

/** Writes ms·1e6 + sub as a u64 at `p` (little-endian); ms must be a u64-ns-range integer. */
export function writeMsSub(b: Uint8Array, p: number, ms: number, sub: number): void {
  // ms = a·2^32 + c; ms·1e6 + sub = a·1e6·2^32 + (c·1e6 + sub), each part exact
  const a = Math.floor(ms / TWO_32);
  const t = (ms - a * TWO_32) * NS_PER_MS + sub;
  const carry = Math.floor(t / TWO_32);
  const lo = t - carry * TWO_32;
  const hi = a * NS_PER_MS + carry;
  b[p] = lo & 0xff;
  b[p + 1] = (lo >>> 8) & 0xff;
  b[p + 2] = (lo >>> 16) & 0xff;
  b[p + 3] = (lo >>> 24) & 0xff;
  b[p + 4] = hi & 0xff;
  b[p + 5] = (hi >>> 8) & 0xff;
  b[p + 6] = (hi >>> 16) & 0xff;
  b[p + 7] = (hi >>> 24) & 0xff;
}

/** (ms, sub) compared: negative, 0 or positive. */
export function compareMsSub(am: number, as: number, bm: number, bs: number): number {
  return am !== bm ? (am < bm ? -1 : 1) : as !== bs ? (as < bs ? -1 : 1) : 0;
}

export function nsOf(ms: number, sub: number): bigint {
  return BigInt(ms) * NS_PER_MS_N + BigInt(sub);
}

/** floor(ns / 1e6) (a frontier may be before the epoch: floor, not truncation). */
export function msOf(ns: bigint): number {
  const q = ns / NS_PER_MS_N;
  return Number(ns < 0n && q * NS_PER_MS_N !== ns ? q - 1n : q);
}

/** ns mod 1e6, in 0 … 999999. */
export function subOf(ns: bigint): number {
  const r = ns % NS_PER_MS_N;
  return Number(r < 0n ? r + NS_PER_MS_N : r);
}

/** A record timestamp (ms) as ns: exact. */
export function nsFromMs(ms: number): bigint {
  return BigInt(ms) * NS_PER_MS_N;
}

/** Whether `ns` is a u64. */
export function isU64(ns: bigint): boolean {
  return ns >= 0n && ns <= U64_MAX;
}

/** ISO-8601 UTC with all nine fractional digits: `2024-05-01T22:10:00.000000001Z`. */
export function formatNanosIso(ns: bigint): string {
  const ms = msOf(ns);
  const iso = new Date(ms).toISOString(); // …:SS.mmmZ; years past 9999 come out as +0YYYYY
  return `${iso.slice(0, -1)}${String(subOf(ns)).padStart(6, '0')}Z`;
}

const ISO = /^([+-]\d{6}|\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Parses an ISO-8601 date-time with up to nine fractional digits and a zone (Z or ±hh:mm) into
 * ns since the epoch, exactly; undefined when it is not one or falls outside u64 ns.
 */
export function parseNanosIso(s: string): bigint | undefined {
  const m = ISO.exec(s);
  if (m === null) return undefined;
  const frac = m[7] ?? '';
  // Whole seconds through Date (exact at second precision), the fraction as digits.
  const secs = Date.parse(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${m[8]}`);
  if (Number.isNaN(secs)) return undefined;
  const ns = BigInt(secs) * NS_PER_MS_N + BigInt(frac.padEnd(9, '0'));
  return isU64(ns) ? ns : undefined;
}
