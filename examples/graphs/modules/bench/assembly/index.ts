// bench 1.0.0: cheap but real operators over ~100-byte JSON readings for `eddy bench graph`,
//   {"id":123,"sensor":"s-07","value":21.5,"ok":true,"pad":"..."}
// written against the SDK's low-level batch API: raw pointers into the input batch, byte scans
// instead of a JSON parse, results written straight into the one output buffer. Nothing is
// allocated per message.
//
//   filter  keeps messages whose payload has "ok":true
//   map     mode=double (default): "value" × 2, rewritten as text with the same decimals
//           (21.5 -> 43.0); mode=upper: the "sensor" string upper-cased in place (s-07 -> S-07)
//   branch  last digit of "id" below 8 -> True (80 %), else False
//   delay   to the end of the message's second: ((t / 1e9) + 1) · 1e9 ns, counter 0
// Payloads without the field pass maps unchanged (filter: dropped; branch: False).
export { alloc, dealloc, graph_abi_version } from "@eddy/smartmodule-sdk/graph";
import {
  ModuleConfiguration, batchFirst, beginCall, endCall, fail, msgPayloadLength, msgPayloadPtr, msgPhysical,
  msgPropertyCount, msgTimestampPtr, nextMessage, output, runInit,
} from "@eddy/smartmodule-sdk/graph";

const MODE_DOUBLE: i32 = 0;
const MODE_UPPER: i32 = 1;
let mode: i32 = MODE_DOUBLE;

// Patterns as raw bytes, made once at start.
const OK_TRUE = String.UTF8.encode("\"ok\":true");
const VALUE_KEY = String.UTF8.encode("\"value\":");
const SENSOR_KEY = String.UTF8.encode("\"sensor\":\"");
const ID_KEY = String.UTF8.encode("\"id\":");
/** Scratch for a formatted number and a timestamp (static, never freed). */
const scratch: usize = heap.alloc(64);

// @ts-ignore: decorator
@inline function ptrOf(b: ArrayBuffer): usize { return changetype<usize>(b); }

/** Index of the end of `needle` in [hay, hay + len), or -1. First-byte scan, then a compare. */
function findEnd(hay: usize, len: usize, needle: ArrayBuffer): isize {
  const np = ptrOf(needle);
  const nl = <usize>needle.byteLength;
  if (len < nl) return -1;
  const first = load<u8>(np);
  const last = len - nl;
  for (let i: usize = 0; i <= last; i++) {
    if (load<u8>(hay + i) == first && memory.compare(hay + i + 1, np + 1, nl - 1) == 0) return <isize>(i + nl);
  }
  return -1;
}

function init(config: ModuleConfiguration): bool {
  const m = config.getOr("mode", "double");
  if (m == "double") mode = MODE_DOUBLE;
  else if (m == "upper") mode = MODE_UPPER;
  else {
    fail("mode must be double or upper, not \"" + m + "\"");
    return false;
  }
  return true;
}

export function graph_init(ptr: i32, len: i32): i32 {
  return runInit(ptr, len, init);
}

export function graph_filter(ptr: i32, len: i32): i32 {
  const n = beginCall(ptr, len, "filter");
  if (n < 0) return n;
  output.beginList();
  let p = batchFirst(<usize>ptr);
  for (let i = 0; i < n; i++) {
    output.flag(findEnd(msgPayloadPtr(p), <usize>msgPayloadLength(p), OK_TRUE) >= 0);
    p = nextMessage(p);
  }
  return endCall();
}

export function graph_branch(ptr: i32, len: i32): i32 {
  const n = beginCall(ptr, len, "branch");
  if (n < 0) return n;
  output.beginList();
  let p = batchFirst(<usize>ptr);
  for (let i = 0; i < n; i++) {
    const pay = msgPayloadPtr(p);
    const pl = <usize>msgPayloadLength(p);
    const at = findEnd(pay, pl, ID_KEY);
    let lastDigit: i32 = -1;
    if (at >= 0) {
      for (let q = <usize>at; q < pl; q++) {
        const c = <i32>load<u8>(pay + q);
        if (c < 0x30 || c > 0x39) break;
        lastDigit = c - 0x30;
      }
    }
    output.flag(lastDigit >= 0 && lastDigit < 8);
    p = nextMessage(p);
  }
  return endCall();
}

export function graph_delay(ptr: i32, len: i32): i32 {
  const n = beginCall(ptr, len, "delay");
  if (n < 0) return n;
  output.beginList();
  let p = batchFirst(<usize>ptr);
  for (let i = 0; i < n; i++) {
    store<u64>(scratch, (msgPhysical(p) / 1_000_000_000 + 1) * 1_000_000_000);
    store<u32>(scratch, 0, 8);
    store<u32>(scratch, load<u32>(msgTimestampPtr(p), 12), 12);
    output.timestampAt(scratch);
    p = nextMessage(p);
  }
  return endCall();
}

export function graph_map(ptr: i32, len: i32): i32 {
  const n = beginCall(ptr, len, "map");
  if (n < 0) return n;
  output.beginBatch();
  let p = batchFirst(<usize>ptr);
  if (mode == MODE_UPPER) {
    for (let i = 0; i < n; i++) {
      upper(p);
      p = nextMessage(p);
    }
  } else {
    for (let i = 0; i < n; i++) {
      double(p);
      p = nextMessage(p);
    }
  }
  return endCall();
}

/** Copies the message and upper-cases the "sensor" string of the copy in place. */
function upper(p: usize): void {
  const pay = msgPayloadPtr(p) - p; // offset of the payload within the message
  const pl = <usize>msgPayloadLength(p);
  const at = output.buf.length;
  output.copyMessage(p);
  const q = output.buf.base + at + pay;
  const s = findEnd(q, pl, SENSOR_KEY);
  if (s < 0) return;
  for (let k = <usize>s; k < pl; k++) {
    const c = load<u8>(q + k);
    if (c == 0x22) break;
    if (c >= 0x61 && c <= 0x7a) store<u8>(q + k, c - 0x20);
  }
}

/** Writes the message with "value" doubled (same number of decimals), or copies it unchanged. */
function double(p: usize): void {
  const pay = msgPayloadPtr(p);
  const pl = <usize>msgPayloadLength(p);
  const at = findEnd(pay, pl, VALUE_KEY);
  if (at < 0) {
    output.copyMessage(p);
    return;
  }
  // -?digits(.digits)? as an integer mantissa and a count of decimals
  let q = <usize>at;
  const neg = q < pl && load<u8>(pay + q) == 0x2d;
  if (neg) q++;
  let mantissa: u64 = 0;
  let digits = 0;
  let decimals = 0;
  let dot = false;
  for (; q < pl; q++) {
    const c = <u32>load<u8>(pay + q);
    if (c == 0x2e && !dot) {
      dot = true;
      continue;
    }
    if (c < 0x30 || c > 0x39) break;
    mantissa = mantissa * 10 + <u64>(c - 0x30);
    digits++;
    if (dot) decimals++;
  }
  const end = q;
  if (digits == 0 || digits > 17 || (dot && decimals == 0)) {
    output.copyMessage(p); // not a plain decimal: left as it is
    return;
  }
  // format mantissa·2 right to left, with `decimals` digits after the point and one before it
  let v = mantissa * 2;
  let w: usize = scratch + 32;
  let written = 0;
  while (v != 0 || written <= decimals) {
    if (decimals > 0 && written == decimals) store<u8>(--w, 0x2e);
    store<u8>(--w, <u8>(0x30 + <u32>(v % 10)));
    v /= 10;
    written++;
  }
  if (neg) store<u8>(--w, 0x2d);
  output.beginMessage(p);
  output.payloadBytes(pay, <usize>at);
  output.payloadBytes(w, scratch + 32 - w);
  output.payloadBytes(pay + end, pl - end);
  if (msgPropertyCount(p) > 0) output.copyProperties(p);
  output.endMessage();
}
