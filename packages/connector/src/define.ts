import type { Logger } from 'pino';
import type { ConsumerRecord, HeadersInput, RecordMetadata } from '@eddy/client';
import type { ConnectorConfig } from './connector_config.ts';
import type { JsonSchema } from './json_schema.ts';
import type { RetryOptions } from './retry.ts';

/** What every connector declares: its identity and its options (one JSON Schema, draft-07). */
export interface ConnectorInfo {
  /** The binary's and the config's `meta.type` name, e.g. 'file-source'. */
  name: string;
  version: string;
  description: string;
  /**
   * The config section holding this connector's options. Default: the name without its
   * '-source' / '-sink' suffix ('http-source' reads `http:`).
   */
  section?: string;
  /**
   * The options under the section: a JSON Schema object (draft-07) whose `description`s are the
   * docs and `default`s the defaults. Validation errors name the YAML path.
   */
  options: JsonSchema;
  /**
   * Retry budget for reaching the outside system (open, write) and the cluster. Default
   * 8 attempts, 200 ms doubling to 5 s (about 20 s in all).
   */
  retry?: RetryOptions;
}

/** Shared by sources and sinks: what the kit gives connector code. */
export interface ConnectorContext {
  /** The whole parsed config (meta, transforms, options). Secrets are resolved in it: never log it. */
  readonly config: ConnectorConfig<unknown>;
  /** pino logger (child with the connector's name). */
  readonly logger: Logger;
  /** Aborted when the connector is asked to stop (SIGTERM/SIGINT, or a fatal error). */
  readonly signal: AbortSignal;
  /**
   * Runs `fn` until it succeeds, retrying with backoff within the connector's retry budget; a
   * PermanentError is not retried. After the budget, throws RetryBudgetExhausted naming `what`.
   */
  retry<T>(what: string, fn: (attempt: number) => Promise<T>): Promise<T>;
  /** Counts an error that the connector handled (in the errors metric and a warn line). */
  reportError(err: unknown, what: string): void;
  /** `text` with every secret value replaced by `[secret]`. */
  redact(text: string): string;
}

/** One record a source hands to the kit. */
export interface SourceRecord {
  key?: string | Uint8Array | null;
  value: string | Uint8Array;
  timestamp?: number;
  headers?: HeadersInput;
  /**
   * Called once the cluster acknowledged the record (stored it): a source that can acknowledge
   * upstream (MQTT QoS 1/2, a queue) acknowledges here and only here.
   */
  ack?: (meta: RecordMetadata) => void;
  /** Called instead of `ack` when the produce failed for good (the connector then stops). */
  nack?: (err: Error) => void;
}

export interface SourceContext extends ConnectorContext {
  /**
   * Push API: hands a record to the producer. Resolves once it is queued (waits while the
   * producer's queue is full: back-pressure); `record.ack` runs when the cluster stored it.
   */
  emit(record: SourceRecord): Promise<void>;
  /** Push API: the source has no more records; the kit flushes and exits 0. */
  end(): void;
  /** Push API: a failure the source cannot recover from; the kit logs it and exits non-zero. */
  fail(err: unknown): void;
}

/** What a push-style source's `open` may return: how to release its resources. */
export interface SourceSession {
  close?(): void | Promise<void>;
}

export interface SourceDefinition<O = Record<string, unknown>> extends ConnectorInfo {
  readonly direction: 'source';
  /**
   * Opens the outside system. Return an (async) iterable of records (pull: the kit sends each,
   * and when it ends, flushes and exits 0), or use `ctx.emit` and return a session or nothing
   * (push: runs until stopped, `ctx.end()` or `ctx.fail()`). Either may have `close()`: the kit
   * calls it once everything sent was acknowledged (the place to save an upstream position).
   * Throwing is retried within the retry budget.
   */
  open(options: O, ctx: SourceContext): AsyncIterable<SourceRecord> | Iterable<SourceRecord> | SourceSession | void
    | Promise<AsyncIterable<SourceRecord> | Iterable<SourceRecord> | SourceSession | void>;
}

/** A record a sink receives (the consumer's record): key, value and header values are views valid during `write`. */
export type SinkRecord = ConsumerRecord;

export interface SinkWriter {
  /**
   * Writes a batch (records of one partition, in offset order) to the outside system and resolves
   * once it accepted them; only then does the kit commit their offsets. A rejection is retried
   * with the same batch within the retry budget (so a write should be idempotent or atomic);
   * PermanentError stops the connector without committing.
   */
  write(batch: readonly SinkRecord[]): Promise<void>;
  close?(): void | Promise<void>;
}

export type SinkContext = ConnectorContext;

export interface SinkDefinition<O = Record<string, unknown>> extends ConnectorInfo {
  readonly direction: 'sink';
  /** Opens the outside system (retried within the retry budget) and returns its writer. */
  open(options: O, ctx: SinkContext): SinkWriter | Promise<SinkWriter>;
}

export type ConnectorDefinition<O = any> = SourceDefinition<O> | SinkDefinition<O>;

/** Declares a source connector; run it with `runConnector(def, process.argv)`. */
export function defineSource<O = Record<string, unknown>>(def: Omit<SourceDefinition<O>, 'direction'>): SourceDefinition<O> {
  return checkInfo({ ...def, direction: 'source' });
}

/** Declares a sink connector; run it with `runConnector(def, process.argv)`. */
export function defineSink<O = Record<string, unknown>>(def: Omit<SinkDefinition<O>, 'direction'>): SinkDefinition<O> {
  return checkInfo({ ...def, direction: 'sink' });
}

/** The config section named after the connector. */
export function sectionName(def: ConnectorInfo): string {
  return def.section ?? def.name.replace(/-(source|sink)$/, '');
}

function checkInfo<D extends ConnectorInfo>(def: D): D {
  for (const k of ['name', 'version', 'description'] as const) {
    if (typeof def[k] !== 'string' || def[k] === '') throw new TypeError(`connector definition: ${k} must be a non-empty string`);
  }
  if (def.options === null || typeof def.options !== 'object' || def.options.type !== 'object') {
    throw new TypeError(`connector definition '${def.name}': options must be a JSON Schema with type 'object'`);
  }
  return def;
}
