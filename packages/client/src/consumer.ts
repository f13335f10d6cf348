import { EddyError, ErrorCode, errorFromCode } from '@eddy/protocol';
import type { SmartEngine } from '@eddy/smartengine';
import { throwIfError, type BrokerClient } from './broker_client.ts';
import { AUTO_COMMIT_INTERVAL_MS, CONSUMER_RECONNECT_TIMEOUT_MS, STREAM_MAX_BYTES, STREAM_WINDOW_BYTES } from './defaults.ts';
import { LocalSmartModules } from './local_smartmodules.ts';
import { partitionLookBack } from './look_back_reader.ts';
import { Offset, OffsetKind } from './offset.ts';
import { RecordStream, type PartitionStart } from './record_stream.ts';
import { toInvocations, type SmartModuleSpec } from './smartmodule_spec.ts';

export type { ConsumerRecord } from './consumer_batch.ts';
export { ConsumerBatch } from './consumer_batch.ts';

export interface ConsumerOptions {
  /** Named consumer: streams start from the offsets committed under this name when there are any. */
  consumerName?: string;
  /** Commit delivered positions periodically and when a stream stops. Default true (named consumers only). */
  autoCommit?: boolean;
  /** Default 5000 ms (Kafka's auto.commit.interval.ms). */
  autoCommitIntervalMs?: number;
  /** Defaults for every stream of this consumer (see StreamOptions). */
  maxBytes?: number;
  windowBytes?: number;
  smartmodules?: SmartModuleSpec[];
  localSmartmodules?: SmartModuleSpec[];
  /** Engine for local chains; default a shared one (two sandbox workers, 1 s per call, 64 MiB per instance). */
  smartEngine?: SmartEngine;
  /** How long a stream keeps trying to reach a broker that went away before failing. Default 60 s. */
  reconnectTimeoutMs?: number;
  /** Default for every stream of this consumer (see StreamOptions). */
  checkCrcs?: boolean;
  /**
   * A committed offset outside the partition's log (retention deleted it, or the topic was
   * re-created): `'fallback'` (default, Kafka's auto.offset.reset) starts from the offset given to
   * `stream()` instead and warns once; `'error'` fails the stream with OffsetOutOfRange.
   */
  offsetReset?: 'fallback' | 'error';
  /** Where the one-line offset-reset (and data-loss skip) warnings go. Default `process.emitWarning`. */
  onWarning?: (message: string) => void;
  /** Default for every stream of this consumer (see StreamOptions). */
  onDataLoss?: 'error' | 'skip';
}

export interface StreamOptions {
  /** Partitions to read; default all of the topic's. */
  partitions?: number[];
  /** Last offset to deliver (inclusive); the stream ends after it. */
  end?: number;
  /** End once caught up with the end of the log instead of waiting for new records. */
  stopAtEnd?: boolean;
  /** Aborting ends the stream (the loop finishes normally). */
  signal?: AbortSignal;
  /** Largest response the broker sends. Default 1 MiB. */
  maxBytes?: number;
  /** Bytes the broker may push ahead of what the application consumed, per partition. Default 4 MiB. */
  windowBytes?: number;
  /** A chain the broker runs on the records before sending them (names registered on the cluster, or wasm). */
  smartmodules?: SmartModuleSpec[];
  /**
   * A chain run in this process on every batch received (after the broker's chain), one
   * instance per partition; each module needs its wasm (`path` or `wasm`). Look-back reads
   * the partition before streaming starts.
   */
  localSmartmodules?: SmartModuleSpec[];
  /**
   * Verify the CRC-32C of every record batch received before decoding it (Kafka's `check.crcs`).
   * Default true. Turning it off saves a pass over the data; a batch damaged in transit or on
   * the broker's disk then goes undetected unless its framing is broken too.
   */
  checkCrcs?: boolean;
  /**
   * What to do when the broker lost offsets to a damaged segment (its partition status names
   * them): 'error' (default, like Kafka's data-loss handling) ends the stream with EddyError
   * DataLoss; 'skip' continues after the gap and warns once per gap (see `onWarning`).
   */
  onDataLoss?: 'error' | 'skip';
}

/**
 * Reads one topic. `stream()` gives an async iterable over one, several or all partitions; a named
 * consumer (`consumerName`) resumes from its committed offsets and commits what it delivered
 * (automatically unless `autoCommit: false`, and on `commit()`).
 */
export class Consumer {
  readonly topic: string;
  readonly consumerName: string | null;
  private readonly broker: BrokerClient;
  private readonly opts: ConsumerOptions;
  private readonly autoCommit: boolean;
  private readonly streams = new Set<RecordStream>();
  /** Delivered positions of streams that stopped, not yet committed. */
  private readonly positions = new Map<number, number>();
  private readonly committed = new Map<number, number>();
  private timer: NodeJS.Timeout | null = null;
  private commitChain: Promise<void> = Promise.resolve();
  private closed = false;

  /** Use `eddy.consumer(topic, opts)`. */
  constructor(broker: BrokerClient, topic: string, opts: ConsumerOptions = {}) {
    if (opts.offsetReset !== undefined && opts.offsetReset !== 'fallback' && opts.offsetReset !== 'error') {
      throw new TypeError(`offsetReset must be 'fallback' or 'error', got ${String(opts.offsetReset)}`);
    }
    if (opts.consumerName !== undefined && (typeof opts.consumerName !== 'string' || opts.consumerName === '')) {
      throw new TypeError('consumerName must be a non-empty string');
    }
    this.broker = broker;
    this.topic = topic;
    this.opts = opts;
    this.consumerName = opts.consumerName ?? null;
    this.autoCommit = this.consumerName !== null && (opts.autoCommit ?? true);
  }

  /**
   * Records from `offset` on (for a named consumer: from its committed offset where it has one).
   * Iterate with `for await`; break, abort or close() to stop.
   */
  stream(offset: Offset, opts: StreamOptions = {}): RecordStream {
    if (this.closed) throw new EddyError(ErrorCode.StreamClosed, `consumer of '${this.topic}' is closed`);
    if (!(offset instanceof Offset)) throw new TypeError('stream() needs an Offset, e.g. Offset.beginning()');
    if (opts.end !== undefined && (!Number.isSafeInteger(opts.end) || opts.end < 0)) {
      throw new RangeError(`end offset must be a non-negative integer, got ${opts.end}`);
    }
    const sms = opts.smartmodules ?? this.opts.smartmodules;
    const localSpecs = opts.localSmartmodules ?? this.opts.localSmartmodules ?? [];
    const local = localSpecs.length === 0 ? null : new LocalSmartModules(localSpecs, {
      ...(this.opts.smartEngine ? { engine: this.opts.smartEngine } : {}),
      readLookBack: partitionLookBack(this.broker, this.topic),
      topic: this.topic,
    });
    const stream: RecordStream = new RecordStream({
      broker: this.broker,
      signal: opts.signal,
      params: {
        topic: this.topic,
        endOffset: opts.end ?? -1,
        stopAtEnd: opts.stopAtEnd ?? false,
        maxBytes: opts.maxBytes ?? this.opts.maxBytes ?? STREAM_MAX_BYTES,
        windowBytes: opts.windowBytes ?? this.opts.windowBytes ?? STREAM_WINDOW_BYTES,
        smartmodules: toInvocations(sms),
        local,
        reconnectTimeoutMs: this.opts.reconnectTimeoutMs ?? CONSUMER_RECONNECT_TIMEOUT_MS,
        checkCrcs: opts.checkCrcs ?? this.opts.checkCrcs ?? true,
        onDataLoss: opts.onDataLoss ?? this.opts.onDataLoss ?? 'error',
        warn: this.opts.onWarning ?? ((m: string) => process.emitWarning(m, { code: 'EDDY_DATA_LOSS' })),
      },
      resolveStarts: () => this.resolveStarts(offset, opts.partitions),
      onStop: async (s) => {
        this.streams.delete(s);
        for (const [p, o] of s.positions()) this.positions.set(p, o);
        if (this.streams.size === 0) this.stopTimer();
        if (this.autoCommit) await this.commit();
      },
    });
    this.streams.add(stream);
    if (this.autoCommit && this.timer === null) {
      const ms = this.opts.autoCommitIntervalMs ?? AUTO_COMMIT_INTERVAL_MS;
      this.timer = setInterval(() => { this.commit().catch(() => {}); }, ms);
      this.timer.unref();
    }
    return stream;
  }

  /** Next offset to deliver per partition, over all of this consumer's streams. */
  currentPositions(): Map<number, number> {
    const m = new Map(this.positions);
    for (const s of this.streams) for (const [p, o] of s.positions()) m.set(p, o);
    return m;
  }

  /**
   * Commits the delivered positions, or `positions` (partition → next offset) when given: a
   * caller that reads ahead commits only what it has processed. Named consumers only. Resolves
   * once the broker stored them.
   */
  commit(positions?: ReadonlyMap<number, number>): Promise<void> {
    const name = this.consumerName;
    if (name === null) return Promise.reject(new EddyError(ErrorCode.InvalidConfig, 'commit() needs a named consumer (consumerName)'));
    // Serialised so an older position never lands after a newer one.
    const run = async () => {
      const partitions: { partition: number; offset: number }[] = [];
      for (const [partition, offset] of positions ?? this.currentPositions()) {
        if (this.committed.get(partition) !== offset) partitions.push({ partition, offset });
      }
      if (partitions.length === 0) return;
      await this.broker.call('OffsetCommit', { consumer: name, topic: this.topic, partitions });
      for (const p of partitions) this.committed.set(p.partition, p.offset);
    };
    const p = this.commitChain.then(run, run);
    this.commitChain = p.catch(() => {});
    return p;
  }

  /** Stops every stream (committing when auto commit is on) and the commit timer. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.streams].map((s) => s.return()));
    this.stopTimer();
    await this.commitChain;
  }

  private stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private async resolveStarts(offset: Offset, partitions: number[] | undefined): Promise<PartitionStart[]> {
    const count = await this.broker.partitionCount(this.topic);
    let list: number[];
    if (partitions === undefined || partitions.length === 0) {
      list = Array.from({ length: count }, (_, i) => i);
    } else {
      for (const p of partitions) {
        if (!Number.isInteger(p) || p < 0 || p >= count) {
          throw new EddyError(ErrorCode.UnknownPartition, `partition ${p} does not exist in topic '${this.topic}' (partitions 0-${count - 1})`);
        }
      }
      list = [...new Set(partitions)];
    }
    const committed = new Map<number, number>();
    if (this.consumerName !== null) {
      const res = await this.broker.request('OffsetFetch', { consumer: this.consumerName, topic: this.topic, partitions: list });
      // A consumer that never committed is simply new.
      if (res.errorCode !== ErrorCode.ConsumerNotFound) throwIfError(res);
      for (const p of res.partitions) {
        if (p.offset >= 0) {
          committed.set(p.partition, p.offset);
          this.committed.set(p.partition, p.offset);
        }
      }
    }
    // FromBeginning is not a wire start kind: resolve it against each partition's log start.
    // Committed offsets are checked against the log (retention may have deleted them).
    const fromBeginning = new Map<number, number>();
    const needFromBeginning = offset.kind === OffsetKind.FromBeginning && list.some((p) => !committed.has(p));
    if (needFromBeginning || committed.size > 0) {
      const res = await this.broker.call('ListOffsets', { topic: this.topic, partitions: list.map((partition) => ({ partition, timestamp: -1 })) });
      for (const p of res.partitions) {
        if (p.errorCode !== ErrorCode.None) throw errorFromCode(p.errorCode, `listing offsets of '${this.topic}' partition ${p.partition}`);
        const c = committed.get(p.partition);
        if (c !== undefined && (c < p.logStartOffset || c > p.highWatermark)) {
          this.outOfRange(p.partition, c, offset, p.logStartOffset, p.highWatermark);
          committed.delete(p.partition);
        }
        if (offset.kind === OffsetKind.FromBeginning) fromBeginning.set(p.partition, Math.min(p.logStartOffset + offset.value, p.highWatermark));
      }
    }
    return list.map((partition) => {
      const c = committed.get(partition) ?? fromBeginning.get(partition);
      return c !== undefined
        ? { partition, start: Offset.absolute(c), position: c }
        : { partition, start: offset, position: -1 };
    });
  }

  /** A committed offset the log no longer (or not yet) holds: falls back to `offset` with a warning, or throws. */
  private outOfRange(partition: number, committed: number, offset: Offset, logStart: number, highWatermark: number): void {
    const held = logStart === highWatermark ? `is empty (next offset ${highWatermark})` : `holds offsets ${logStart} to ${highWatermark - 1}`;
    const what = `consumer '${this.consumerName}' committed offset ${committed} on '${this.topic}' partition ${partition}, but the partition ${held}`;
    if (this.opts.offsetReset === 'error') {
      throw new EddyError(ErrorCode.OffsetOutOfRange, `${what} (offsetReset 'error')`);
    }
    const warn = this.opts.onWarning ?? ((m: string) => process.emitWarning(m, { code: 'EDDY_OFFSET_RESET' }));
    warn(`${what}: starting from ${describeStart(offset, logStart, highWatermark)} instead`);
  }
}

/** The fallback start, with the offset it resolves to where the client knows it. */
function describeStart(offset: Offset, logStart: number, highWatermark: number): string {
  switch (offset.kind) {
    case OffsetKind.Beginning: return `the beginning (offset ${logStart})`;
    case OffsetKind.End: return `the end (offset ${highWatermark})`;
    case OffsetKind.Absolute: return `offset ${offset.value}`;
    case OffsetKind.FromBeginning: return `${offset.value} from the beginning (offset ${Math.min(logStart + offset.value, highWatermark)})`;
    case OffsetKind.FromEnd: return `${offset.value} from the end (offset ${Math.max(logStart, highWatermark - offset.value)})`;
    default: return offset.toString();
  }
}
