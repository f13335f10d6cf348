// Test host for graph operator modules until @eddy/dataflow's runtime runs them: instantiates a
// module with the `eddy_graph` imports of ABI.md (state store, log, metrics, HLC), writes message
// batches in the ABI layout, calls the entry points and decodes what the module hands to `output`.
import { moduleWasm } from './build.ts';

export interface Hlc {
  physical: number;
  counter: number;
  node: number;
}

export interface InMessage {
  payload: string | Uint8Array;
  /** Physical ms, or a full HLC. Default 0. */
  timestamp?: number | Partial<Hlc>;
  /** Default 'message'. */
  kind?: 'raw' | 'message';
  topic?: string;
  contentType?: string;
  properties?: Record<string, string>;
}

export interface OutMessage {
  timestamp: Hlc;
  kind: 'raw' | 'message';
  topic: string;
  contentType: string;
  payload: Uint8Array;
  /** The payload as UTF-8. */
  text: string;
  properties: Array<[string, string]>;
}

export class GraphCallError extends Error {
  readonly status: number;
  constructor(entry: string, status: number, message: string) {
    super(`${entry} failed (${status}): ${message}`);
    this.name = 'GraphCallError';
    this.status = status;
  }
}

const utf8 = new TextEncoder();
const text = new TextDecoder();
const bytesOf = (v: string | Uint8Array) => (typeof v === 'string' ? utf8.encode(v) : v);

function hlcOf(t: number | Partial<Hlc> | undefined): Hlc {
  if (t === undefined) return { physical: 0, counter: 0, node: 0 };
  if (typeof t === 'number') return { physical: t, counter: 0, node: 0 };
  return { physical: t.physical ?? 0, counter: t.counter ?? 0, node: t.node ?? 0 };
}

/** One message in the ABI layout. */
export function encodeMessage(m: InMessage): Uint8Array {
  const raw = m.kind === 'raw';
  const topic = raw ? new Uint8Array(0) : utf8.encode(m.topic ?? '');
  const ct = raw ? new Uint8Array(0) : utf8.encode(m.contentType ?? '');
  const payload = bytesOf(m.payload);
  const props = raw ? [] : Object.entries(m.properties ?? {}).map(([k, v]) => [utf8.encode(k), utf8.encode(v)] as const);
  const size = 32 + topic.length + ct.length + payload.length + props.reduce((n, [k, v]) => n + 6 + k.length + v.length, 0);
  const out = new Uint8Array(size);
  const dv = new DataView(out.buffer);
  const t = hlcOf(m.timestamp);
  dv.setUint32(0, size, true);
  dv.setUint32(4, payload.length, true);
  dv.setBigUint64(8, BigInt(t.physical), true);
  dv.setUint32(16, t.counter, true);
  dv.setUint32(20, t.node, true);
  out[24] = raw ? 0 : 1;
  dv.setUint16(26, topic.length, true);
  dv.setUint16(28, ct.length, true);
  dv.setUint16(30, props.length, true);
  let p = 32;
  for (const part of [topic, ct, payload]) {
    out.set(part, p);
    p += part.length;
  }
  for (const [k, v] of props) {
    dv.setUint16(p, k.length, true);
    out.set(k, p + 2);
    p += 2 + k.length;
    dv.setUint32(p, v.length, true);
    out.set(v, p + 4);
    p += 4 + v.length;
  }
  return out;
}

/** A message batch: u32 count, then the messages. */
export function encodeBatch(messages: ReadonlyArray<InMessage>): Uint8Array {
  const parts = messages.map(encodeMessage);
  const out = new Uint8Array(4 + parts.reduce((n, p) => n + p.length, 0));
  new DataView(out.buffer).setUint32(0, parts.length, true);
  let p = 4;
  for (const part of parts) {
    out.set(part, p);
    p += part.length;
  }
  return out;
}

export function decodeHlc(bytes: Uint8Array, at: number): Hlc {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { physical: Number(dv.getBigUint64(at, true)), counter: dv.getUint32(at + 8, true), node: dv.getUint32(at + 12, true) };
}

/** Decodes a message batch, checking every length. */
export function decodeBatch(bytes: Uint8Array): OutMessage[] {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const count = dv.getUint32(0, true);
  const out: OutMessage[] = [];
  let p = 4;
  for (let i = 0; i < count; i++) {
    const size = dv.getUint32(p, true);
    const payloadLength = dv.getUint32(p + 4, true);
    const topicLength = dv.getUint16(p + 26, true);
    const ctLength = dv.getUint16(p + 28, true);
    const propCount = dv.getUint16(p + 30, true);
    if (size < 32 || p + size > bytes.length) throw new Error(`message ${i}: size ${size} past the batch`);
    let q = p + 32;
    const topic = text.decode(bytes.subarray(q, q + topicLength));
    q += topicLength;
    const contentType = text.decode(bytes.subarray(q, q + ctLength));
    q += ctLength;
    const payload = bytes.slice(q, q + payloadLength);
    q += payloadLength;
    const properties: Array<[string, string]> = [];
    for (let j = 0; j < propCount; j++) {
      const kl = dv.getUint16(q, true);
      const key = text.decode(bytes.subarray(q + 2, q + 2 + kl));
      q += 2 + kl;
      const vl = dv.getUint32(q, true);
      properties.push([key, text.decode(bytes.subarray(q + 4, q + 4 + vl))]);
      q += 4 + vl;
    }
    if (q !== p + size) throw new Error(`message ${i}: ${q - p} bytes of fields in a message of size ${size}`);
    out.push({ timestamp: decodeHlc(bytes, p + 8), kind: bytes[p + 24] === 0 ? 'raw' : 'message', topic, contentType, payload, text: text.decode(payload), properties });
    p += size;
  }
  if (p !== bytes.length) throw new Error(`batch of ${count} messages ends at ${p}, not ${bytes.length}`);
  return out;
}

/** graph_init's input: operation name and parameters. */
export function encodeConfiguration(operation: string, params: Record<string, string>): Uint8Array {
  const parts: Uint8Array[] = [];
  const u32 = (n: number) => {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, n, true);
    parts.push(b);
  };
  const str = (s: string) => {
    const b = utf8.encode(s);
    u32(b.length);
    parts.push(b);
  };
  str(operation);
  u32(Object.keys(params).length);
  for (const [k, v] of Object.entries(params)) {
    str(k);
    str(v);
  }
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let p = 0;
  for (const part of parts) {
    out.set(part, p);
    p += part.length;
  }
  return out;
}

interface StateEntry {
  value: Uint8Array;
  expiresAt: number; // physical ms, 0 = never
  fence: Hlc | null;
}

const cmpHlc = (a: Hlc, b: Hlc) => a.physical - b.physical || a.counter - b.counter || a.node - b.node;
const same = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);
const keyOf = (b: Uint8Array) => Buffer.from(b).toString('latin1');

export interface Metric {
  kind: 'counter' | 'histogram';
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface InstanceOptions {
  /** State store contents (shared when the same Map is given to several instances). */
  state?: Map<string, StateEntry>;
  /** What hlc_now returns. */
  now?: Hlc;
}

/** One instance of a graph module with a test host. */
export class GraphInstance {
  readonly exports: Record<string, WebAssembly.ExportValue>;
  readonly logs: Array<{ level: number; message: string }> = [];
  readonly metrics: Metric[] = [];
  readonly state: Map<string, StateEntry>;
  now: Hlc;
  outputCalls = 0;
  private output: Uint8Array | null = null;
  private error: string | null = null;

  private constructor(exports: Record<string, WebAssembly.ExportValue>, state: Map<string, StateEntry>, now: Hlc) {
    this.exports = exports;
    this.state = state;
    this.now = now;
  }

  /** Instantiates example module `name` (built when stale) or the given wasm. */
  static async open(module: string | Uint8Array | WebAssembly.Module, opts: InstanceOptions = {}): Promise<GraphInstance> {
    const compiled = module instanceof WebAssembly.Module ? module : await WebAssembly.compile(new Uint8Array(typeof module === 'string' ? await moduleWasm(module) : module));
    for (const imp of WebAssembly.Module.imports(compiled)) {
      if (imp.module !== 'eddy_graph') throw new Error(`module imports ${imp.module}.${imp.name}: a graph module may import only eddy_graph`);
    }
    let self: GraphInstance | null = null;
    const mem = () => new Uint8Array((self!.exports.memory as WebAssembly.Memory).buffer);
    const read = (p: number, n: number) => mem().slice(p, p + n);
    const labels = (p: number, n: number): Record<string, string> => {
      if (n === 0) return {};
      const b = read(p, n);
      const dv = new DataView(b.buffer);
      const out: Record<string, string> = {};
      let q = 4;
      for (let i = 0, c = dv.getUint32(0, true); i < c; i++) {
        const kl = dv.getUint32(q, true);
        const k = text.decode(b.subarray(q + 4, q + 4 + kl));
        q += 4 + kl;
        const vl = dv.getUint32(q, true);
        out[k] = text.decode(b.subarray(q + 4, q + 4 + vl));
        q += 4 + vl;
      }
      return out;
    };
    const live = (key: Uint8Array): StateEntry | undefined => {
      const e = self!.state.get(keyOf(key));
      if (e && e.expiresAt > 0 && self!.now.physical >= e.expiresAt) {
        self!.state.delete(keyOf(key));
        return undefined;
      }
      return e;
    };
    const fenced = (e: StateEntry | undefined, fencePtr: number): Hlc | null | false => {
      const token = fencePtr === 0 ? null : decodeHlc(read(fencePtr, 16), 0);
      if (e?.fence && (token === null || cmpHlc(token, e.fence) < 0)) return false;
      return token;
    };
    const imports = {
      eddy_graph: {
        output: (p: number, n: number) => {
          self!.output = read(p, n);
          self!.outputCalls++;
        },
        error: (p: number, n: number) => {
          self!.error = text.decode(read(p, n));
        },
        log: (level: number, p: number, n: number) => {
          self!.logs.push({ level, message: text.decode(read(p, n)) });
        },
        hlc_now: (p: number) => {
          const b = new Uint8Array(16);
          const dv = new DataView(b.buffer);
          dv.setBigUint64(0, BigInt(self!.now.physical), true);
          dv.setUint32(8, self!.now.counter, true);
          dv.setUint32(12, self!.now.node, true);
          mem().set(b, p);
        },
        state_get: (kp: number, kl: number, op: number, cap: number) => {
          const e = live(read(kp, kl));
          if (!e) return -1;
          if (e.value.length <= cap) mem().set(e.value, op);
          return e.value.length;
        },
        state_set: (kp: number, kl: number, vp: number, vl: number, condition: number, expiry: bigint, fp: number) => {
          const key = read(kp, kl);
          const value = read(vp, vl);
          const e = live(key);
          const token = fenced(e, fp);
          if (token === false) return -2;
          if (condition === 1 && e) return 0;
          if (condition === 2 && e && !same(e.value, value)) return 0;
          const ms = Number(expiry);
          self!.state.set(keyOf(key), { value, expiresAt: ms > 0 ? self!.now.physical + ms : 0, fence: token ?? e?.fence ?? null });
          return 1;
        },
        state_del: (kp: number, kl: number, fp: number) => {
          const key = read(kp, kl);
          const e = live(key);
          if (fenced(e, fp) === false) return -2;
          return self!.state.delete(keyOf(key)) ? 1 : 0;
        },
        state_del_if_equal: (kp: number, kl: number, vp: number, vl: number, fp: number) => {
          const key = read(kp, kl);
          const e = live(key);
          if (fenced(e, fp) === false) return -2;
          if (!e || !same(e.value, read(vp, vl))) return 0;
          self!.state.delete(keyOf(key));
          return 1;
        },
        metric_counter: (np: number, nl: number, lp: number, ll: number, value: number) => {
          self!.metrics.push({ kind: 'counter', name: text.decode(read(np, nl)), labels: labels(lp, ll), value });
        },
        metric_histogram: (np: number, nl: number, lp: number, ll: number, value: number) => {
          self!.metrics.push({ kind: 'histogram', name: text.decode(read(np, nl)), labels: labels(lp, ll), value });
        },
      },
    };
    const instance = await WebAssembly.instantiate(compiled, imports);
    self = new GraphInstance(instance.exports, opts.state ?? new Map(), opts.now ?? { physical: 0, counter: 0, node: 0 });
    const version = (instance.exports.graph_abi_version as () => number)();
    if (version !== 1) throw new Error(`graph_abi_version() is ${version}, expected 1`);
    return self;
  }

  /** Seeds the state store (`--state KEY=VALUE`). */
  setState(key: string, value: string): this {
    this.state.set(keyOf(utf8.encode(key)), { value: utf8.encode(value), expiresAt: 0, fence: null });
    return this;
  }

  getState(key: string): string | undefined {
    const e = this.state.get(keyOf(utf8.encode(key)));
    return e ? text.decode(e.value) : undefined;
  }

  /** alloc + copy + call, as a host does; the output or the module's error. */
  call(entry: string, input: Uint8Array): { status: number; output: Uint8Array | null; error: string | null } {
    const fn = this.exports[entry] as ((p: number, l: number) => number) | undefined;
    if (typeof fn !== 'function') throw new Error(`module has no export ${entry}`);
    const ptr = (this.exports.alloc as (n: number) => number)(input.length);
    new Uint8Array((this.exports.memory as WebAssembly.Memory).buffer).set(input, ptr);
    this.output = null;
    this.error = null;
    const before = this.outputCalls;
    const status = fn(ptr, input.length);
    (this.exports.dealloc as (p: number, n: number) => void)(ptr, input.length);
    if (status === 0 && this.outputCalls !== before + 1 && entry !== 'graph_init') {
      throw new Error(`${entry} returned 0 but called output ${this.outputCalls - before} times`);
    }
    return { status, output: this.output, error: this.error };
  }

  private ok(entry: string, input: Uint8Array): Uint8Array {
    const r = this.call(entry, input);
    if (r.status !== 0) throw new GraphCallError(entry, r.status, r.error ?? '(no message)');
    return r.output!;
  }

  /** graph_init; resolves to the refusal message, or null when accepted. */
  init(params: Record<string, string> = {}, operation = 'test/op'): string | null {
    const r = this.call('graph_init', encodeConfiguration(operation, params));
    if (r.status === 0) return null;
    return r.error ?? `(refused with ${r.status} and no message)`;
  }

  map(messages: ReadonlyArray<InMessage>): OutMessage[] {
    const out = decodeBatch(this.ok('graph_map', encodeBatch(messages)));
    if (out.length !== messages.length) throw new Error(`graph_map returned ${out.length} messages for ${messages.length}`);
    return out;
  }

  filter(messages: ReadonlyArray<InMessage>): boolean[] {
    return this.flags('graph_filter', messages);
  }

  branch(messages: ReadonlyArray<InMessage>): boolean[] {
    return this.flags('graph_branch', messages);
  }

  private flags(entry: string, messages: ReadonlyArray<InMessage>): boolean[] {
    const out = this.ok(entry, encodeBatch(messages));
    if (out.length !== messages.length) throw new Error(`${entry} returned ${out.length} bytes for ${messages.length} messages`);
    return [...out].map((b) => {
      if (b > 1) throw new Error(`${entry} returned flag ${b}`);
      return b === 1;
    });
  }

  delay(messages: ReadonlyArray<InMessage>): Hlc[] {
    const out = this.ok('graph_delay', encodeBatch(messages));
    if (out.length !== 16 * messages.length) throw new Error(`graph_delay returned ${out.length} bytes for ${messages.length} messages`);
    return messages.map((_, i) => decodeHlc(out, 16 * i));
  }

  /** graph_accumulate over `messages` (one timestamp), with Eddy 1's empty staged message. */
  accumulate(messages: ReadonlyArray<InMessage>): OutMessage {
    const out = decodeBatch(this.ok('graph_accumulate', encodeBatch([{ kind: 'raw', payload: '' }, ...messages])));
    if (out.length !== 1) throw new Error(`graph_accumulate returned ${out.length} messages`);
    return out[0];
  }
}
