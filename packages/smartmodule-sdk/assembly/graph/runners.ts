// The glue between the graph ABI entry points and an author's function (what the decorators
// generate calls to). Each runner checks the batch, lends the function one reused Message
// view per input (no copies), writes the result into the one output buffer and calls
// `output` once. A `fail(..)` in the function, or an abort, fails the call with its message.
import { ACTIVE_NONE, setAbortReporter, setActive } from "../abort";
import { clearFailure, failed, takeFailure } from "../error";
import { decodeConfiguration, ModuleConfiguration, setModuleConfiguration } from "./config";
import { compareHlcAt, Hlc } from "./hlc";
import { reportError } from "./host";
import { batchFirst, checkBatch, nextMessage } from "./layout";
import { Message } from "./message";
import { output } from "./output";

export const GRAPH_ABI_VERSION: i32 = 1;
/** Returned when the host's input is malformed. */
export const STATUS_BAD_INPUT: i32 = -2;
/** Returned when the author's function failed (fail(..), refused init, bad delay). */
export const STATUS_FAILED: i32 = -1;

const ACTIVE_GRAPH: i32 = 200;

/** ABI export `graph_abi_version`. */
export function graph_abi_version(): i32 {
  return GRAPH_ABI_VERSION;
}

function abortReport(kind: i32, hint: string): void {
  reportError(hint);
}
setAbortReporter(abortReport);

const view = new Message();
const stamp = new Hlc();

/**
 * Starts a call on the batch [ptr, ptr + len): returns the message count, or a negative status
 * after reporting the malformed input. For hand-written entry points too.
 */
export function beginCall(ptr: i32, len: i32, what: string): i32 {
  clearFailure();
  const n = checkBatch(<usize>ptr, <usize>len);
  if (n < 0) {
    reportError(what + ": malformed input batch (" + len.toString() + " bytes)");
    return STATUS_BAD_INPUT;
  }
  if (n == 0) {
    reportError(what + ": empty input batch");
    return STATUS_BAD_INPUT;
  }
  setActive(ACTIVE_GRAPH);
  return n;
}

/** Ends a call: hands over the output. */
export function endCall(): i32 {
  setActive(ACTIVE_NONE);
  output.finish();
  return 0;
}

/** Fails the call with the pending `fail(..)` message (or `fallback`). */
export function failCall(fallback: string): i32 {
  setActive(ACTIVE_NONE);
  const hint = takeFailure();
  reportError(hint !== null ? hint : fallback);
  return STATUS_FAILED;
}

// The per-message runners' walk over the batch: where the next input message starts.
let next: usize = 0;

/**
 * beginCall, then starts the output (a list of flags or timestamps, or a message batch) and
 * the walk over the input: returns the message count, or a negative status.
 */
function beginRun(ptr: i32, len: i32, what: string, list: bool): i32 {
  const n = beginCall(ptr, len, what);
  if (n < 0) return n;
  if (list) output.beginList();
  else output.beginBatch();
  next = batchFirst(<usize>ptr);
  return n;
}

/** Points the one lent view at the next input message and steps past it. */
// @ts-ignore: decorator
@inline function lendNext(): Message {
  const v = view;
  v.ptr = next;
  next = nextMessage(next);
  return v;
}

/** `graph_map`: the i-th output is what `fn` returns for the i-th input. */
export function runMap(ptr: i32, len: i32, fn: (input: Message) => Message): i32 {
  const n = beginRun(ptr, len, "map", false);
  if (n < 0) return n;
  for (let i = 0; i < n; i++) {
    const r = fn(lendNext());
    if (failed()) return failCall("map failed");
    output.copyMessage(r.ptr);
  }
  return endCall();
}

/** `graph_filter`: 1 keeps the i-th message. Payloads are never copied. */
export function runFilter(ptr: i32, len: i32, fn: (input: Message) => bool): i32 {
  const n = beginRun(ptr, len, "filter", true);
  if (n < 0) return n;
  for (let i = 0; i < n; i++) {
    const keep = fn(lendNext());
    if (failed()) return failCall("filter failed");
    output.flag(keep);
  }
  return endCall();
}

/** `graph_branch`: 1 routes the i-th message to the True arm. `timestamp` is lent (one object). */
export function runBranch(ptr: i32, len: i32, fn: (input: Message, timestamp: Hlc) => bool): i32 {
  const n = beginRun(ptr, len, "branch", true);
  if (n < 0) return n;
  for (let i = 0; i < n; i++) {
    const v = lendNext();
    const right = fn(v, stamp.load(v.ptr + 8));
    if (failed()) return failCall("branch failed");
    output.flag(right);
  }
  return endCall();
}

/**
 * `graph_delay`: the i-th message's new timestamp. `timestamp` is lent (one object, refilled
 * per message): returning it after changing its fields is fine and allocates nothing.
 */
export function runDelay(ptr: i32, len: i32, fn: (input: Message, timestamp: Hlc) => Hlc): i32 {
  const n = beginRun(ptr, len, "delay", true);
  if (n < 0) return n;
  for (let i = 0; i < n; i++) {
    const v = lendNext();
    const before = v.ptr + 8; // the input's timestamp, taken before `fn` runs
    const t = fn(v, stamp.load(before));
    if (failed()) return failCall("delay failed");
    output.timestamp(t);
    const at = output.buf.base + output.buf.length - 16;
    if (compareHlcAt(at, before) < 0) {
      clearFailure();
      return failCall("delay moved message " + i.toString() + " back in time: " + Hlc.read(before).toString() + " -> " + t.toString());
    }
  }
  return endCall();
}

// Views lent to an accumulate function; kept and re-pointed across calls.
const pool = new Array<Message>();
const inputs = new Array<Message>();
const staged = new Message();

/**
 * `graph_accumulate`: message 0 of the batch is the staged value, 1..m the inputs of one
 * timestamp; the one output is what `fn` returns. The array and its messages are lent.
 */
export function runAccumulate(ptr: i32, len: i32, fn: (staged: Message, inputs: Message[]) => Message): i32 {
  const n = beginCall(ptr, len, "accumulate");
  if (n < 0) return n;
  let p = batchFirst(<usize>ptr);
  staged.ptr = p;
  const m = n - 1;
  while (pool.length < m) pool.push(new Message());
  inputs.length = m;
  for (let i = 0; i < m; i++) {
    p = nextMessage(p);
    const x = unchecked(pool[i]);
    x.ptr = p;
    unchecked(inputs[i] = x);
  }
  const r = fn(staged, inputs);
  if (failed()) return failCall("accumulate failed");
  output.beginBatch();
  output.copyMessage(r.ptr);
  return endCall();
}

/** `graph_init`: decodes the configuration; `fn` returns false (or calls fail) to refuse. */
export function runInit(ptr: i32, len: i32, fn: (config: ModuleConfiguration) => bool): i32 {
  clearFailure();
  const config = decodeConfiguration(<usize>ptr, <usize>len);
  if (config === null) {
    reportError("init: malformed module configuration (" + len.toString() + " bytes)");
    return STATUS_BAD_INPUT;
  }
  setModuleConfiguration(config);
  setActive(ACTIVE_GRAPH);
  const ok = fn(config);
  setActive(ACTIVE_NONE);
  if (!ok || failed()) return failCall("init refused by the module (operation " + config.operationName + ")");
  return 0;
}
