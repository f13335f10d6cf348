// Test helpers for the example graph modules, on @eddy/dataflow's own host: a module runs in the
// OperatorInstance the graph runtime uses, with a real StateStore and HybridClock, and logs and
// metrics collected for assertions. Only the glue between test literals and batches lives here.
import {
  nsFromMs,
  GraphOperatorError, HybridClock, MessageBatch, MessageBatchBuilder, OperatorInstance, StateStore,
  compileOperatorModule, readTimestamp, KIND_MESSAGE, KIND_RAW, KIND_SNAPSHOT, type CompiledOperatorModule,
  type DecodedMessage, type Hlc, type ModuleOperatorType, type OperatorHost,
} from '@eddy/dataflow';
import { decodeMetricLabels, type MetricLabels } from '@eddy/dataflow/internal';
import { moduleWasm } from './build.ts';

/** Every example module is version 1.0.0 (the graphs reference `name:1.0.0`). */
export const MODULE_VERSION = '1.0.0';

const compiled = new Map<string, Promise<CompiledOperatorModule>>();

/** Example module `name`, built when stale and compiled once per process. */
export function compiledModule(name: string): Promise<CompiledOperatorModule> {
  let c = compiled.get(name);
  if (!c) {
    c = moduleWasm(name).then((wasm) => compileOperatorModule(`${name}:${MODULE_VERSION}`, wasm));
    compiled.set(name, c);
  }
  return c;
}

/** Names of the functions a module exports (to check what it provides). */
export function exportNames(module: CompiledOperatorModule): string[] {
  return WebAssembly.Module.exports(module.module).map((e) => e.name);
}

export interface LogLine {
  operation: string;
  level: number;
  message: string;
}

export interface Metric {
  operation: string;
  kind: 'counter' | 'histogram';
  name: string;
  labels: MetricLabels;
  value: number;
}

/** An OperatorHost whose state store and clock are the runtime's; logs and metrics are kept. */
export class TestHost implements OperatorHost {
  readonly clock: HybridClock;
  readonly state: StateStore;
  readonly logs: LogLine[] = [];
  readonly metrics: Metric[] = [];

  /** `start` sets the clock's reading (what `hlc_now` returns until something advances it). */
  constructor(node = 0, start?: Hlc) {
    this.clock = new HybridClock(node, start);
    this.state = new StateStore(() => this.clock.physical);
  }

  log(operation: string, level: number, message: string): void {
    this.logs.push({ operation, level, message });
  }

  metric(operation: string, kind: 'counter' | 'histogram', name: string, labels: Uint8Array, value: number): void {
    this.metrics.push({ operation, kind, name, labels: decodeMetricLabels(labels), value });
  }

  /** Seeds a state store key, as `--state KEY=VALUE` does. */
  seed(key: string, value: string): this {
    this.state.set(Buffer.from(key), Buffer.from(value));
    return this;
  }
}

export interface OpenOptions {
  /** The operation name the module sees in init and the host in logs (default `test/<type>`). */
  operation?: string;
  /** Share a host (and so its state store) between operators. */
  host?: TestHost;
  /** The graph's features (`wasi-nn` for the snapshot classifier). */
  features?: readonly string[];
}

/** An instance of example module `name` used as `type`, and its host. */
export async function openOperator(name: string, type: ModuleOperatorType, opts: OpenOptions = {}): Promise<{ op: OperatorInstance; host: TestHost }> {
  return openOperatorFrom(await compiledModule(name), type, opts);
}

/**
 * An instance of any module (wasm bytes, compiled here as `ref`, default `test:1.0.0`; or an
 * already compiled module) used as `type`, and its host: for modules that are not examples.
 */
export function openOperatorFrom(
  module: Uint8Array | CompiledOperatorModule,
  type: ModuleOperatorType,
  opts: OpenOptions & { ref?: string } = {},
): { op: OperatorInstance; host: TestHost } {
  const compiled = module instanceof Uint8Array ? compileOperatorModule(opts.ref ?? `test:${MODULE_VERSION}`, module) : module;
  const host = opts.host ?? new TestHost();
  const op = new OperatorInstance(compiled, opts.operation ?? `test/${type}`, type, host, { features: new Set(opts.features ?? []) });
  return { op, host };
}

/** The module's refusal of a configuration (its own words), or null when it accepts it. */
export function refusal(op: OperatorInstance, params: Record<string, string> = {}): string | null {
  try {
    op.init(params);
    return null;
  } catch (err) {
    if (!(err instanceof GraphOperatorError) || err.failure !== 'refused') throw err;
    const prefix = `operation "${op.operation}" refused its configuration: `;
    return err.message.startsWith(prefix) ? err.message.slice(prefix.length) : err.message;
  }
}

/** A message as tests write it. */
export interface TestMessage {
  payload: string | Uint8Array;
  /** Physical ms (made ns exactly), or a full HLC (physical in ns). Default 0. */
  timestamp?: number | Partial<Hlc>;
  /** Default 'message'. A snapshot's frame is `payload`, its format `contentType`. */
  kind?: 'raw' | 'message' | 'snapshot';
  width?: number;
  height?: number;
  topic?: string;
  contentType?: string;
  properties?: Record<string, string>;
}

function hlcOf(t: TestMessage['timestamp']): Hlc {
  if (t === undefined) return { physical: 0n, counter: 0, node: 0 };
  if (typeof t === 'number') return { physical: nsFromMs(t), counter: 0, node: 0 };
  return { physical: t.physical ?? 0n, counter: t.counter ?? 0, node: t.node ?? 0 };
}

/** A message batch in the ABI layout. */
export function batchOf(messages: readonly TestMessage[]): MessageBatch {
  return MessageBatch.of(messages.map((m) => ({
    timestamp: hlcOf(m.timestamp),
    kind: m.kind === 'raw' ? KIND_RAW : m.kind === 'snapshot' ? KIND_SNAPSHOT : KIND_MESSAGE,
    width: m.width,
    height: m.height,
    topic: m.topic,
    contentType: m.contentType,
    payload: typeof m.payload === 'string' ? Buffer.from(m.payload) : m.payload,
    properties: Object.entries(m.properties ?? {}),
  })));
}

/** A payload as UTF-8 text. */
export const text = (m: DecodedMessage): string => m.payload.toString('utf8');

/** Properties with their values as text. */
export const props = (m: DecodedMessage): [string, string][] => m.properties.map(([k, v]) => [k, v.toString('utf8')]);

/** filter / branch decisions as booleans (the ABI allows only 0 and 1). */
export function flags(decisions: Uint8Array): boolean[] {
  return [...decisions].map((b, i) => {
    if (b > 1) throw new Error(`decision ${i} is ${b}, not 0 or 1`);
    return b === 1;
  });
}

/** delay's output: one HLC per message. */
export function timestamps(delayed: Buffer): Hlc[] {
  return Array.from({ length: delayed.length / 16 }, (_, i) => readTimestamp(delayed, 16 * i));
}

/** accumulate's output message, decoded. */
export function accumulated(message: Uint8Array): DecodedMessage {
  const b = new MessageBatchBuilder();
  b.append(message);
  return b.finish().decode(0);
}
