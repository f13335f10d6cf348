// Host APIs for operators (Azure's tinykube_wasm_sdk::{logger, state_store, metrics}), over
// the `eddy_graph` imports. Keys, values and names go through reused raw buffers, so a call
// makes no garbage beyond the strings it returns.
import { decodeUtf8Lossy } from "./utf8";
import { LeBuffer } from "./buffer";
import { Hlc } from "./hlc";
import {
  host_log, host_metric_counter, host_metric_histogram, host_state_del, host_state_del_if_equal, host_state_get,
  host_state_set,
} from "./host";

/** Log levels (ABI.md `log`). */
export namespace Level {
  export const Trace: i32 = 0;
  export const Debug: i32 = 1;
  export const Info: i32 = 2;
  export const Warn: i32 = 3;
  export const Error: i32 = 4;
}

/** state_set conditions. */
export namespace SetCondition {
  export const Unconditional: i32 = 0;
  export const OnlyIfDoesNotExist: i32 = 1;
  export const OnlyIfEqualOrDoesNotExist: i32 = 2;
}

/** What state_set/del/delIfEqual return. */
export namespace StateResult {
  /** Set or deleted. */
  export const Done: i32 = 1;
  /** The condition was false (set) or nothing to delete. */
  export const NotDone: i32 = 0;
  /** Refused: the key carries a newer fencing token. */
  export const Fenced: i32 = -2;
}

const scratch = new LeBuffer(); // key, value, name, fencing token
const values = new LeBuffer(); // state_get output

function fence(fencing: Hlc | null): usize {
  if (fencing === null) return 0;
  const at = scratch.length;
  fencing.store(scratch.reserve(16));
  return at;
}

/** Reads `key` into `values`; returns the value's length or -1. */
function getInto(keyPtr: usize, keyLen: usize): i32 {
  if (values.capacity == 0) values.ensure(256);
  let n = host_state_get(<i32>keyPtr, <i32>keyLen, <i32>values.base, <i32>values.capacity);
  if (n > <i32>values.capacity) {
    values.ensure(<usize>n);
    n = host_state_get(<i32>keyPtr, <i32>keyLen, <i32>values.base, <i32>values.capacity);
    if (n > <i32>values.capacity) return -1; // changed between the calls: cannot happen in one call
  }
  return n;
}

export namespace stateStore {
  /** The value of `key` as UTF-8 text, or null when absent or expired. */
  export function get(key: string): string | null {
    scratch.clear();
    const kl = scratch.utf8(key);
    const n = getInto(scratch.base, kl);
    return n < 0 ? null : decodeUtf8Lossy(values.base, <usize>n);
  }

  /** The value of `key` (bytes), or null when absent or expired. */
  export function getBytes(key: Uint8Array): Uint8Array | null {
    const n = getInto(key.dataStart, <usize>key.length);
    if (n < 0) return null;
    const out = new Uint8Array(n);
    memory.copy(out.dataStart, values.base, <usize>n);
    return out;
  }

  /**
   * Sets `key` to `value` when `condition` (SetCondition) holds. `expiryMs` > 0 expires the key
   * that long after the current HLC; `fencing` rejects writers older than the key's token.
   * Returns StateResult.Done, NotDone (condition false) or Fenced.
   */
  export function set(key: string, value: string, condition: i32 = 0, expiryMs: i64 = 0, fencing: Hlc | null = null): i32 {
    scratch.clear();
    const kl = scratch.utf8(key);
    const vl = scratch.utf8(value);
    const f = fence(fencing);
    const b = scratch.base;
    return host_state_set(<i32>b, <i32>kl, <i32>(b + kl), <i32>vl, condition, expiryMs, fencing === null ? 0 : <i32>(b + f));
  }

  export function setBytes(key: Uint8Array, value: Uint8Array, condition: i32 = 0, expiryMs: i64 = 0, fencing: Hlc | null = null): i32 {
    scratch.clear();
    const f = fence(fencing);
    return host_state_set(<i32>key.dataStart, key.length, <i32>value.dataStart, value.length, condition, expiryMs,
      fencing === null ? 0 : <i32>(scratch.base + f));
  }

  /** Deletes `key`: Done, NotDone (absent) or Fenced. */
  export function del(key: string, fencing: Hlc | null = null): i32 {
    scratch.clear();
    const kl = scratch.utf8(key);
    const f = fence(fencing);
    const b = scratch.base;
    return host_state_del(<i32>b, <i32>kl, fencing === null ? 0 : <i32>(b + f));
  }

  /** Deletes `key` only while its value equals `value`: Done, NotDone or Fenced. */
  export function delIfEqual(key: string, value: string, fencing: Hlc | null = null): i32 {
    scratch.clear();
    const kl = scratch.utf8(key);
    const vl = scratch.utf8(value);
    const f = fence(fencing);
    const b = scratch.base;
    return host_state_del_if_equal(<i32>b, <i32>kl, <i32>(b + kl), <i32>vl, fencing === null ? 0 : <i32>(b + f));
  }
}

export namespace logger {
  /** A log line at `level` (Level.*), tagged by the host with graph and operation. */
  export function log(level: i32, message: string): void {
    scratch.clear();
    const n = scratch.utf8(message);
    host_log(level, <i32>scratch.base, <i32>n);
  }
  export function trace(message: string): void { log(Level.Trace, message); }
  export function debug(message: string): void { log(Level.Debug, message); }
  export function info(message: string): void { log(Level.Info, message); }
  export function warn(message: string): void { log(Level.Warn, message); }
  export function error(message: string): void { log(Level.Error, message); }
}

/** Metric labels, encoded once (`new Labels().add("sensor", "temp-01")`), reusable for every call. */
export class Labels {
  private buf: LeBuffer = new LeBuffer();
  private count: u32 = 0;

  constructor() {
    this.buf.u32(0);
  }

  add(key: string, value: string): Labels {
    this.buf.lenUtf8(key);
    this.buf.lenUtf8(value);
    this.count++;
    store<u32>(this.buf.base, this.count);
    return this;
  }

  get ptr(): usize { return this.buf.base; }
  get length(): usize { return this.buf.length; }
}

export namespace metrics {
  /** Adds `value` to counter `name` (exported as eddy_graph_module_<name>). */
  export function addToCounter(name: string, value: f64, labels: Labels | null = null): void {
    scratch.clear();
    const n = scratch.utf8(name);
    host_metric_counter(<i32>scratch.base, <i32>n, labels === null ? 0 : <i32>labels.ptr, labels === null ? 0 : <i32>labels.length, value);
  }

  /** Records `value` in histogram `name`. */
  export function recordToHistogram(name: string, value: f64, labels: Labels | null = null): void {
    scratch.clear();
    const n = scratch.utf8(name);
    host_metric_histogram(<i32>scratch.base, <i32>n, labels === null ? 0 : <i32>labels.ptr, labels === null ? 0 : <i32>labels.length, value);
  }
}
