/**
 * One operation's instance of its module: the `eddy_graph` host imports and the calls of
 * ABI.md, one per batch. Results are checked (count, sizes, timestamps never earlier) before
 * the runtime uses them; any failure becomes a GraphOperatorError naming the operation.
 */
import { MessageBatch, MessageBatchError, MESSAGE_HEADER_BYTES, M_PHYSICAL, compareTimestampBytes } from '../abi/message_batch.ts';
import type { Hlc, HybridClock } from '../time/hlc.ts';
import { readTimestamp, writeTimestamp } from '../abi/message_batch.ts';
import { GraphOperatorError } from './errors.ts';
import type { SetCondition, SetOptions } from './state_store.ts';
import { OPERATOR_EXPORTS, type CompiledOperatorModule, type ModuleOperatorType } from './operator_module.ts';
import { WASI_NN_FEATURE, WASI_NN_IMPORTS, WASI_NN_MODULE, WasiNnHost } from './wasi_nn.ts';

export interface OperatorInstanceOptions {
  /** The graph's `moduleRequirements.features` names: `wasi-nn` lets a module use wasi-nn. */
  features?: ReadonlySet<string>;
}

/** The state store as operators see it (ABI.md return codes). */
export interface OperatorStateStore {
  get(key: Uint8Array): Uint8Array | undefined;
  set(key: Uint8Array, value: Uint8Array, opts: SetOptions): number;
  delete(key: Uint8Array, fence?: Hlc): number;
  deleteIfEqual(key: Uint8Array, value: Uint8Array, fence?: Hlc): number;
}

/** What the instance reports to: logs and metrics leave through here. */
export interface OperatorHost {
  readonly state: OperatorStateStore;
  readonly clock: HybridClock;
  log(operation: string, level: number, message: string): void;
  metric(operation: string, kind: 'counter' | 'histogram', name: string, labels: Uint8Array, value: number): void;
}

type Fn = (...args: number[]) => number;

const EMPTY_STAGED = (() => {
  const b = Buffer.alloc(MESSAGE_HEADER_BYTES);
  b.writeUInt32LE(MESSAGE_HEADER_BYTES, 0);
  return b;
})();

/** wasi-nn imports for a graph without the feature: each call fails the operation, saying so. */
function wasiNnDisabled(operation: string, ref: string): Record<string, () => number> {
  const refuse = (): number => {
    throw new GraphOperatorError(
      operation,
      'abi',
      `uses module ${ref}, which calls wasi-nn ("${WASI_NN_MODULE}"), but the graph does not enable it: add "features: [{name: ${WASI_NN_FEATURE}}]" under moduleRequirements`,
    );
  };
  const out: Record<string, () => number> = {};
  for (const name of WASI_NN_IMPORTS) out[name] = refuse;
  return out;
}

export class OperatorInstance {
  readonly operation: string;
  readonly type: ModuleOperatorType;
  private readonly memory: WebAssembly.Memory;
  private readonly alloc: Fn;
  private readonly dealloc: Fn;
  private readonly entry: Fn;
  private readonly initFn: Fn | null;
  private output: Buffer | null = null;
  private error: string | null = null;
  /** wasi-nn, for a module that imports it (in a graph with the feature). */
  private readonly nn: WasiNnHost | null;

  constructor(compiled: CompiledOperatorModule, operation: string, type: ModuleOperatorType, host: OperatorHost, opts: OperatorInstanceOptions = {}) {
    this.operation = operation;
    this.type = type;
    if (!compiled.provides.has(type)) {
      throw new GraphOperatorError(operation, 'abi', `uses module ${compiled.ref} as ${type}, which it does not provide (it provides ${[...compiled.provides].join(', ')})`);
    }
    const nnEnabled = opts.features?.has(WASI_NN_FEATURE) === true;
    this.nn = compiled.usesWasiNn && nnEnabled ? new WasiNnHost() : null;
    const self = this;
    const mem = (): Uint8Array => new Uint8Array(self.memory.buffer);
    const bytes = (ptr: number, len: number): Uint8Array => {
      if (ptr < 0 || len < 0 || ptr + len > self.memory.buffer.byteLength) {
        throw new GraphOperatorError(operation, 'abi', `passed a range (${ptr}, ${len}) outside its memory`);
      }
      return new Uint8Array(self.memory.buffer, ptr, len);
    };
    const fence = (ptr: number) => (ptr === 0 ? undefined : readTimestamp(mem(), ptr));
    const imports = {
      eddy_graph: {
        output(ptr: number, len: number): void {
          self.output = Buffer.from(bytes(ptr, len));
        },
        error(ptr: number, len: number): void {
          self.error = Buffer.from(bytes(ptr, len)).toString('utf8');
        },
        log(level: number, ptr: number, len: number): void {
          host.log(operation, level, Buffer.from(bytes(ptr, len)).toString('utf8'));
        },
        hlc_now(ptr: number): void {
          bytes(ptr, 16);
          writeTimestamp(Buffer.from(self.memory.buffer), ptr, host.clock.now());
        },
        state_get(kp: number, kl: number, op: number, cap: number): number {
          const v = host.state.get(bytes(kp, kl));
          if (v === undefined) return -1;
          if (v.length <= cap) mem().set(v, bytes(op, v.length).byteOffset);
          return v.length;
        },
        state_set(kp: number, kl: number, vp: number, vl: number, condition: number, expiry: bigint, fp: number): number {
          if (condition !== 0 && condition !== 1 && condition !== 2) {
            throw new GraphOperatorError(operation, 'abi', `called state_set with unknown condition ${condition}`);
          }
          return host.state.set(bytes(kp, kl).slice(), bytes(vp, vl).slice(), {
            condition: condition as SetCondition,
            expiryMs: expiry > 0n ? expiry : undefined,
            fence: fence(fp),
          });
        },
        state_del(kp: number, kl: number, fp: number): number {
          return host.state.delete(bytes(kp, kl), fence(fp));
        },
        state_del_if_equal(kp: number, kl: number, vp: number, vl: number, fp: number): number {
          return host.state.deleteIfEqual(bytes(kp, kl), bytes(vp, vl), fence(fp));
        },
        metric_counter(np: number, nl: number, lp: number, ll: number, value: number): void {
          host.metric(operation, 'counter', Buffer.from(bytes(np, nl)).toString('utf8'), bytes(lp, ll).slice(), value);
        },
        metric_histogram(np: number, nl: number, lp: number, ll: number, value: number): void {
          host.metric(operation, 'histogram', Buffer.from(bytes(np, nl)).toString('utf8'), bytes(lp, ll).slice(), value);
        },
      },
      // Without the feature the module still starts (Azure's complex graph routes sensor data
      // past its snapshot operators without declaring wasi-nn); its first wasi-nn call fails it.
      [WASI_NN_MODULE]: this.nn !== null ? this.nn.imports(() => self.memory) : compiled.usesWasiNn ? wasiNnDisabled(operation, compiled.ref) : {},
      env: {
        abort(): void {
          throw new GraphOperatorError(operation, 'trap', 'aborted');
        },
      },
    };
    let instance: WebAssembly.Instance;
    try {
      instance = new WebAssembly.Instance(compiled.module, imports as unknown as WebAssembly.Imports);
    } catch (err) {
      throw new GraphOperatorError(operation, 'abi', `could not start module ${compiled.ref}: ${(err as Error).message}`, { cause: err });
    }
    const ex = instance.exports;
    this.memory = ex.memory as WebAssembly.Memory;
    this.alloc = ex.alloc as unknown as Fn;
    this.dealloc = ex.dealloc as unknown as Fn;
    this.entry = ex[OPERATOR_EXPORTS[type]] as unknown as Fn;
    this.initFn = compiled.hasInit ? (ex.graph_init as unknown as Fn) : null;
    const version = this.guard('graph_abi_version', () => (ex.graph_abi_version as unknown as Fn)());
    if (version !== 1) throw new GraphOperatorError(operation, 'abi', `module ${compiled.ref} speaks graph ABI version ${version}; this host speaks 1`);
  }

  /** Sends the module configuration; throws (failure 'refused') when the module refuses it. */
  init(params: Readonly<Record<string, string>>): void {
    if (this.initFn === null) return;
    const parts: Buffer[] = [];
    const str = (s: string) => {
      const b = Buffer.from(s, 'utf8');
      const len = Buffer.allocUnsafe(4);
      len.writeUInt32LE(b.length, 0);
      parts.push(len, b);
    };
    str(this.operation);
    const keys = Object.keys(params).sort();
    const n = Buffer.allocUnsafe(4);
    n.writeUInt32LE(keys.length, 0);
    parts.push(n);
    for (const k of keys) {
      str(k);
      str(params[k]);
    }
    const rc = this.call('graph_init', this.initFn, Buffer.concat(parts));
    if (rc !== 0) throw new GraphOperatorError(this.operation, 'refused', `refused its configuration: ${this.error ?? `init returned ${rc}`}`);
  }

  /** map: a batch of exactly `batch.count` messages, each keeping its input's timestamp. */
  map(batch: MessageBatch): MessageBatch {
    const out = this.run(batch.bytes);
    let result: MessageBatch;
    try {
      result = MessageBatch.from(out);
    } catch (err) {
      throw new GraphOperatorError(this.operation, 'abi', `returned a malformed message batch: ${(err as MessageBatchError).message}`);
    }
    if (result.count !== batch.count) {
      throw new GraphOperatorError(this.operation, 'abi', `map returned ${result.count} messages for ${batch.count}`);
    }
    // Map does not move time: each output keeps its input's timestamp (16 bytes, copied inline:
    // a Buffer.copy call per message costs more than the bytes).
    const src = batch.bytes;
    const dst = result.bytes;
    for (let i = 0; i < result.count; i++) {
      const s = batch.offsets[i] + M_PHYSICAL;
      const d = result.offsets[i] + M_PHYSICAL;
      for (let k = 0; k < 16; k++) dst[d + k] = src[s + k];
    }
    return result;
  }

  /** filter / branch: one byte per message (non-zero = keep / True arm). */
  decide(batch: MessageBatch): Buffer {
    const out = this.run(batch.bytes);
    if (out.length !== batch.count) {
      throw new GraphOperatorError(this.operation, 'abi', `${this.type} returned ${out.length} decisions for ${batch.count} messages`);
    }
    return out;
  }

  /** delay: 16 bytes per message, the new timestamps, none earlier than the old one. */
  delay(batch: MessageBatch): Buffer {
    const out = this.run(batch.bytes);
    if (out.length !== batch.count * 16) {
      throw new GraphOperatorError(this.operation, 'abi', `delay returned ${out.length} bytes for ${batch.count} timestamps (16 bytes each)`);
    }
    for (let i = 0; i < batch.count; i++) {
      if (compareTimestampBytes(out, i * 16, batch.bytes, batch.offsets[i] + M_PHYSICAL) < 0) {
        throw new GraphOperatorError(this.operation, 'abi', `delay moved message ${i} back in time, from ${batch.physical(i)} to ${readTimestamp(out, i * 16).physical}`);
      }
    }
    return out;
  }

  /** accumulate: the messages of one timestamp (canonical order) → one message. */
  accumulate(group: MessageBatch): Buffer {
    const input = Buffer.allocUnsafe(4 + EMPTY_STAGED.length + group.bytes.length - 4);
    input.writeUInt32LE(group.count + 1, 0);
    EMPTY_STAGED.copy(input, 4);
    // The staged message carries the group's timestamp, so a module that keeps it keeps time right.
    group.bytes.copy(input, 4 + M_PHYSICAL, group.offsets[0] + M_PHYSICAL, group.offsets[0] + M_PHYSICAL + 16);
    group.bytes.copy(input, 4 + EMPTY_STAGED.length, 4);
    const out = this.run(input);
    let result: MessageBatch;
    try {
      result = MessageBatch.from(out);
    } catch (err) {
      throw new GraphOperatorError(this.operation, 'abi', `returned a malformed message batch: ${(err as MessageBatchError).message}`);
    }
    if (result.count !== 1) throw new GraphOperatorError(this.operation, 'abi', `accumulate returned ${result.count} messages, not 1`);
    const msg = result.message(0);
    group.bytes.copy(msg, M_PHYSICAL, group.offsets[0] + M_PHYSICAL, group.offsets[0] + M_PHYSICAL + 16);
    return msg;
  }

  private run(input: Uint8Array): Buffer {
    const rc = this.call(OPERATOR_EXPORTS[this.type], this.entry, input);
    if (rc < 0) throw new GraphOperatorError(this.operation, 'failed', `failed: ${this.error ?? `${OPERATOR_EXPORTS[this.type]} returned ${rc}`}${this.nnDetail()}`);
    const out = this.output;
    if (out === null) throw new GraphOperatorError(this.operation, 'abi', `returned without calling output`);
    return out;
  }

  /** What wasi-nn said went wrong in this call, for the failure message (one line). */
  private nnDetail(): string {
    const why = this.nn?.lastError;
    return why == null ? '' : ` (wasi-nn ${why})`;
  }

  /** Releases what the instance holds outside its memory (ONNX Runtime sessions). */
  dispose(): void {
    this.nn?.dispose();
  }

  private call(name: string, fn: Fn, input: Uint8Array): number {
    return this.guard(name, () => {
      this.output = null;
      this.error = null;
      if (this.nn !== null) this.nn.lastError = null;
      const ptr = this.alloc(input.length);
      if (ptr <= 0 || ptr + input.length > this.memory.buffer.byteLength) {
        throw new GraphOperatorError(this.operation, 'memory', `could not allocate ${input.length} bytes for its input (alloc returned ${ptr})`);
      }
      new Uint8Array(this.memory.buffer).set(input, ptr);
      const rc = fn(ptr, input.length);
      this.dealloc(ptr, input.length);
      return rc;
    });
  }

  private guard<T>(name: string, f: () => T): T {
    try {
      return f();
    } catch (err) {
      if (err instanceof GraphOperatorError) throw err;
      const msg = (err as Error).message ?? String(err);
      const failure = /memory|out of bounds|allocat/i.test(msg) ? 'memory' : 'trap';
      const detail = (this.error !== null ? `${this.error} (${msg})` : msg) + this.nnDetail();
      throw new GraphOperatorError(this.operation, failure, `trapped in ${name}: ${detail}`, { cause: err });
    }
  }
}
