// SmartModuleExtraParams: the `-e key=value` parameters a module is started with, and
// the look-back settings that newer hosts send along with them.
import { Cursor } from "./cursor";
import { VERSION_LOOKBACK, VERSION_LOOKBACK_AGE } from "./abi";
import { ParameterMap } from "./parameter_map";

/**
 * Parameters given to a SmartModule (`init` receives them; `params()` returns them later).
 * `keys()` lists them in the order the host sent them (Fluvio sorts them).
 */
export class Params extends ParameterMap {
  /** Look-back count the host asked for (Lookback.last), or -1 when none was sent. */
  lookbackLast: i64 = -1;
  /** Look-back age in milliseconds (Lookback.age), or -1 when none was sent. */
  lookbackAgeMs: i64 = -1;

  /** Adds or replaces a parameter (tests and hosts that build params by hand). */
  set(key: string, value: string): Params {
    this.put(key, value);
    return this;
  }
}

function readString(c: Cursor): string {
  const n = <usize>c.u16();
  if (c.short(n)) return "";
  const s = String.UTF8.decodeUnsafe(c.pos, n);
  c.pos += n;
  return s;
}

/**
 * Decodes SmartModuleExtraParams at `version`: u16 count + (String, String) pairs, then
 * (version >= 20) Option<Lookback { last: u64, (version >= 21) age: Option<Duration> }>.
 * Returns null when the bytes are malformed.
 */
export function decodeParams(c: Cursor, version: i32): Params | null {
  const params = new Params();
  const count = <i32>c.u16();
  for (let i = 0; i < count && !c.failed; i++) {
    const key = readString(c);
    const value = readString(c);
    params.set(key, value);
  }
  if (version >= VERSION_LOOKBACK && c.bool()) {
    params.lookbackLast = c.i64();
    if (version >= VERSION_LOOKBACK_AGE && c.bool()) {
      const secs = c.i64();
      const nanos = <i64>c.u32();
      params.lookbackAgeMs = secs * 1000 + nanos / 1000000;
    }
  }
  return c.failed ? null : params;
}

// Parameters of this instance: from `init`, or (hosts older than version 23) from the
// deprecated `params` field of the latest transform input when init was never called.
let current: Params = new Params();
let fromInit: bool = false;

/** The parameters this module instance was started with. */
export function params(): Params {
  return current;
}

/** SDK internal: parameters arrived through `init`. */
export function setInitParams(p: Params): void {
  current = p;
  fromInit = true;
}

/** SDK internal: parameters arrived in an old-style transform input. */
export function setInputParams(p: Params): void {
  if (!fromInit && p.size > 0) current = p;
}
