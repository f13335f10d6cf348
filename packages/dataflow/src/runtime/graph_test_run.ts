/**
 * `eddy graph test`: runs a graph in-process on a list of messages (one instance per
 * partition, as the broker would) and returns what reached the sink, once the input is over
 * and every buffer has drained.
 */
import { loadGraph } from '../definition/load.ts';
import type { GraphPlan, ModuleRef } from '../definition/types.ts';
import { InvalidGraphError } from '../definition/diagnostics.ts';
import { MessageBatch, MessageBatchBuilder, KIND_MESSAGE, KIND_RAW, KIND_SNAPSHOT, encodeProperties } from '../abi/message_batch.ts';
import { compileOperatorModule, type CompiledOperatorModule } from '../host/operator_module.ts';
import { GraphInstance } from './graph_instance.ts';
import { formatNanosIso, nsFromMs, parseNanosIso } from '../time/nanos.ts';

/** One line of a `--input` JSONL file. */
export interface TestMessage {
  /** Event time: epoch ms, or an ISO-8601 string (up to nine fractional digits: ns, exact). */
  timestamp: number | string;
  topic?: string;
  contentType?: string;
  /** A string is sent as its UTF-8 bytes; any other JSON value as its JSON text. */
  payload?: unknown;
  /** Binary payloads. */
  payloadBase64?: string;
  properties?: Record<string, string>;
  /** Which source partition (graph instance) receives it; default 0. */
  partition?: number;
  /**
   * `raw` for a raw-bytes message (no topic, content type or properties); `snapshot` for an
   * image frame: `format`, `width`, `height`, the frame in `payloadBase64` (or `payload`).
   */
  kind?: 'message' | 'raw' | 'snapshot';
  /** Snapshots: the frame's format ("rgb24"), width and height. */
  format?: string;
  width?: number;
  height?: number;
}

/** One sink message, as `graph test` prints it. */
export interface TestOutput {
  partition: number;
  seq: number;
  /** Physical time, ISO-8601 UTC with nine fractional digits (ns, exact). */
  timestamp: string;
  counter: number;
  node: number;
  topic?: string;
  contentType?: string;
  /** Parsed when it is JSON, else the UTF-8 text (a snapshot's frame: its bytes in payloadBase64). */
  payload: unknown;
  payloadBase64?: string;
  properties?: Record<string, string>;
  /** Snapshots. */
  kind?: 'snapshot';
  format?: string;
  width?: number;
  height?: number;
}

export interface GraphTestOptions {
  definition: string;
  file?: string;
  /** Module bytes by `name:version`. */
  modules: ReadonlyMap<string, Uint8Array>;
  input: readonly TestMessage[];
  params?: Record<string, string>;
  state?: Record<string, string>;
  allowedLatenessMs?: number;
  /** Messages per batch handed to the graph (default 256): any value gives the same output. */
  batchSize?: number;
  log?: (operation: string, level: number, message: string) => void;
}

export interface GraphTestResult {
  plan: GraphPlan;
  outputs: TestOutput[];
  lateMessages: number;
  stats: { partition: number; operations: ReturnType<GraphInstance['stats']> }[];
}

export class GraphTestInputError extends Error {
  override readonly name = 'GraphTestInputError';
}

/** Compiles the modules a plan uses; a missing one is a clear error. */
export function compilePlanModules(plan: GraphPlan, modules: ReadonlyMap<string, Uint8Array>): Map<string, CompiledOperatorModule> {
  const out = new Map<string, CompiledOperatorModule>();
  for (const op of plan.operations) {
    if (!op.module || op.type === 'concatenate') continue;
    const ref = refOf(op.module);
    if (out.has(ref)) continue;
    const wasm = modules.get(ref);
    if (!wasm) throw new GraphTestInputError(`operation "${op.name}" needs module ${ref}, which was not given`);
    out.set(ref, compileOperatorModule(ref, wasm));
  }
  return out;
}

function refOf(m: ModuleRef): string {
  return `${m.name}:${m.version}`;
}

export function runGraphTest(opts: GraphTestOptions): GraphTestResult {
  const modules = opts.modules;
  const loaded = loadGraph(opts.definition, {
    file: opts.file,
    params: opts.params,
    resolveModule: (ref) => {
      const wasm = modules.get(refOf(ref));
      if (!wasm) return undefined;
      return compileOperatorModule(refOf(ref), wasm).provides;
    },
  });
  if (!loaded.ok) throw new InvalidGraphError(loaded.errors);
  const plan = loaded.plan;
  const compiled = compilePlanModules(plan, modules);
  const byPartition = new Map<number, TestMessage[]>();
  opts.input.forEach((m, line) => {
    const p = m.partition ?? 0;
    if (!Number.isInteger(p) || p < 0) throw new GraphTestInputError(`input message ${line + 1}: partition must be a non-negative integer`);
    let list = byPartition.get(p);
    if (!list) byPartition.set(p, (list = []));
    list.push(m);
  });
  const outputs: TestOutput[] = [];
  const stats: GraphTestResult['stats'] = [];
  let lateMessages = 0;
  const batchSize = Math.max(1, opts.batchSize ?? 256);
  let lineBase = 0;
  for (const partition of [...byPartition.keys()].sort((a, b) => a - b)) {
    const messages = byPartition.get(partition)!;
    const instance = new GraphInstance({
      plan,
      modules: compiled,
      node: partition,
      allowedLatenessMs: opts.allowedLatenessMs ?? 0,
      state: opts.state,
      log: opts.log,
    });
    const collect = (r: { output: MessageBatch; firstSeq: number }) => {
      for (let i = 0; i < r.output.count; i++) outputs.push(toTestOutput(r.output, i, partition, r.firstSeq + i));
    };
    for (let i = 0; i < messages.length; i += batchSize) {
      collect(instance.process(toBatch(messages.slice(i, i + batchSize), partition, lineBase + i)));
    }
    collect(instance.flush());
    lateMessages += instance.lateMessages;
    stats.push({ partition, operations: instance.stats() });
    lineBase += messages.length;
  }
  return { plan, outputs, lateMessages, stats };
}

export interface ParseTestMessagesOptions {
  /**
   * Lines are bare payloads (JSON objects) whose event time is this field (ISO-8601, up to ns,
   * or epoch ms), instead of `{timestamp, payload, ...}` messages.
   */
  timestampField?: string;
  /** With timestampField: the content type given to each message (default application/json). */
  contentType?: string;
}

/** Parses JSONL text into test messages; errors name the line. */
export function parseTestMessages(text: string, file = 'input', opts: ParseTestMessagesOptions = {}): TestMessage[] {
  const out: TestMessage[] = [];
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch (err) {
      throw new GraphTestInputError(`${file}:${i + 1}: not JSON: ${(err as Error).message}`);
    }
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new GraphTestInputError(`${file}:${i + 1}: a message must be a JSON object`);
    if (opts.timestampField !== undefined) {
      const t = (v as Record<string, unknown>)[opts.timestampField];
      if (typeof t !== 'string' && typeof t !== 'number') throw new GraphTestInputError(`${file}:${i + 1}: missing the timestamp field "${opts.timestampField}"`);
      const m: TestMessage = { timestamp: t, payload: v, contentType: opts.contentType ?? 'application/json' };
      eventTime(m, `${file}:${i + 1}`);
      out.push(m);
      return;
    }
    const m = v as TestMessage;
    if (m.timestamp === undefined) throw new GraphTestInputError(`${file}:${i + 1}: missing "timestamp"`);
    eventTime(m, `${file}:${i + 1}`);
    if (m.payload === undefined && m.payloadBase64 === undefined) throw new GraphTestInputError(`${file}:${i + 1}: missing "payload"`);
    if (m.kind === 'snapshot') {
      for (const f of ['width', 'height'] as const) {
        const d = m[f];
        if (typeof d !== 'number' || !Number.isInteger(d) || d < 0 || d > 0xffffffff) throw new GraphTestInputError(`${file}:${i + 1}: a snapshot needs "${f}", a u32`);
      }
      if (typeof m.format !== 'string') throw new GraphTestInputError(`${file}:${i + 1}: a snapshot needs "format" (such as "rgb24")`);
    }
    out.push(m);
  });
  return out;
}

/** A message's event time in ns. */
function eventTime(m: TestMessage, where: string): bigint {
  const t = m.timestamp;
  const ns = typeof t === 'number' ? (Number.isSafeInteger(t) && t >= 0 ? nsFromMs(t) : undefined) : typeof t === 'string' ? parseNanosIso(t) : undefined;
  if (ns === undefined) throw new GraphTestInputError(`${where}: "timestamp" ${JSON.stringify(t)} is not epoch milliseconds or an ISO-8601 time`);
  return ns;
}

function payloadOf(m: TestMessage): Buffer {
  if (m.payloadBase64 !== undefined) return Buffer.from(m.payloadBase64, 'base64');
  return Buffer.from(typeof m.payload === 'string' ? m.payload : JSON.stringify(m.payload), 'utf8');
}

function toBatch(messages: readonly TestMessage[], node: number, firstLine: number): MessageBatch {
  const b = new MessageBatchBuilder();
  messages.forEach((m, i) => {
    const raw = m.kind === 'raw';
    const snapshot = m.kind === 'snapshot';
    const props = raw ? [] : Object.entries(m.properties ?? {});
    b.appendParts(
      { physical: eventTime(m, `input message ${firstLine + i + 1}`), counter: 0, node },
      raw ? KIND_RAW : snapshot ? KIND_SNAPSHOT : KIND_MESSAGE,
      raw ? '' : (m.topic ?? ''),
      raw ? '' : snapshot ? (m.format ?? '') : (m.contentType ?? ''),
      payloadOf(m),
      props.length > 0 ? encodeProperties(props) : null,
      props.length,
      snapshot ? { width: m.width ?? 0, height: m.height ?? 0 } : undefined,
    );
  });
  return b.finish();
}

function toTestOutput(batch: MessageBatch, i: number, partition: number, seq: number): TestOutput {
  const m = batch.decode(i);
  const snapshot = m.kind === KIND_SNAPSHOT;
  const text = m.payload.toString('utf8');
  let payload: unknown = text;
  let json = true;
  try {
    payload = JSON.parse(text);
  } catch {
    json = false; // not JSON: keep the text
  }
  const out: TestOutput = { partition, seq, timestamp: formatNanosIso(m.timestamp.physical), counter: m.timestamp.counter, node: m.timestamp.node, payload: undefined };
  if (snapshot) {
    out.kind = 'snapshot';
    out.format = m.contentType;
    out.width = m.width;
    out.height = m.height;
    // a frame is bytes: JSON (a classification result) is shown as such, pixels in base64
    if (json) out.payload = payload;
    else out.payloadBase64 = m.payload.toString('base64');
  } else out.payload = payload;
  if (m.topic) out.topic = m.topic;
  if (m.contentType && !snapshot) out.contentType = m.contentType;
  if (m.properties.length > 0) out.properties = Object.fromEntries(m.properties.map(([k, v]) => [k, v.toString('utf8')]));
  return out;
}
