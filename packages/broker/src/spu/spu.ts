import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { CorruptBatchError, EddyError, ErrorCode, UnknownTopicError } from '@eddy/protocol';
import type {
  ListOffsetsRequest, ListOffsetsResponse, PartitionStatus, ProduceRequest, ProduceResponse,
  SmartModuleErrorInfo, SmartModuleInvocation, StreamFetchRequest, TopicSpec,
} from '@eddy/protocol';
import { PartitionLog } from '../storage/index.ts';
import { PartitionLeader } from './partition_leader.ts';
import { FetchStream } from './fetch_stream.ts';
import type { BatchTransform, StreamSink } from './fetch_stream.ts';
import { ConsumerOffsetStore } from './consumer_offsets.ts';
import { scanBatches } from './batch_scan.ts';
import { toEddyError } from './errors.ts';
import { maxSectionBytes, validateCompressed, validateProduced } from './produce_validation.ts';

import { DEFAULT_RETENTION_CHECK_MS, DEFAULT_SPU_ID } from '../defaults.ts';
export { DEFAULT_RETENTION_CHECK_MS, DEFAULT_SPU_ID };

/** Traffic counters the server turns into metrics; records are counted from batch headers. */
export interface SpuObserver {
  produced?(topic: string, partition: number, bytes: number, records: number): void;
  fetched?(topic: string, partition: number, bytes: number, records: number): void;
}

/**
 * Builds the per-stream transform for a fetch that carries SmartModules. Supplied by whoever
 * wires a SmartModule engine in (it resolves named modules through the controller).
 */
export type FetchTransformFactory = (
  invocations: SmartModuleInvocation[],
  ctx: { topic: string; partition: number; leader: PartitionLeader },
) => Promise<BatchTransform>;

/**
 * Runs a producer's SmartModule chain over incoming batches before they are stored. Returns the
 * batches to store (possibly none) or throws an EddyError (a SmartModuleError carries its info).
 */
export type ProduceTransform = (
  invocations: SmartModuleInvocation[],
  ctx: { topic: string; partition: number },
  batches: Buffer,
) => Promise<Buffer>;

export interface SpuOptions {
  dataDir: string;
  id?: number;
  logger?: Logger;
  observer?: SpuObserver;
  /** How often retention runs over every partition; 0 disables the timer. */
  retentionCheckMs?: number;
  fetchTransformFactory?: FetchTransformFactory;
  produceTransform?: ProduceTransform;
}

type ProducePartitionResult = ProduceResponse['topics'][number]['partitions'][number];

/**
 * A streaming processing unit: leads partitions (one PartitionLog each, in
 * `<dataDir>/spu-<id>/<topic>-<partition>/`), takes produce requests, serves streaming fetches,
 * offsets and named consumer offsets, and runs retention in the background.
 */
export class Spu {
  readonly id: number;
  readonly dir: string;
  readonly consumerOffsets: ConsumerOffsetStore;
  private logger: Logger | undefined;
  private observer: SpuObserver;
  private fetchTransformFactory: FetchTransformFactory | undefined;
  private produceTransform: ProduceTransform | undefined;
  private topics = new Map<string, PartitionLeader[]>();
  private retentionTimer: NodeJS.Timeout | null = null;
  private retentionRunning = false;
  private closed = false;

  private constructor(opts: SpuOptions, id: number, dir: string, consumerOffsets: ConsumerOffsetStore) {
    this.id = id;
    this.dir = dir;
    this.consumerOffsets = consumerOffsets;
    this.logger = opts.logger;
    this.observer = opts.observer ?? {};
    this.fetchTransformFactory = opts.fetchTransformFactory;
    this.produceTransform = opts.produceTransform;
  }

  static async open(opts: SpuOptions): Promise<Spu> {
    const id = opts.id ?? DEFAULT_SPU_ID;
    const dir = join(opts.dataDir, `spu-${id}`);
    await mkdir(dir, { recursive: true });
    const offsets = await ConsumerOffsetStore.open(join(dir, 'consumer-offsets'));
    const spu = new Spu(opts, id, dir, offsets);
    const every = opts.retentionCheckMs ?? DEFAULT_RETENTION_CHECK_MS;
    if (every > 0) {
      spu.retentionTimer = setInterval(() => void spu.enforceRetention(), every);
      spu.retentionTimer.unref();
    }
    return spu;
  }

  // ---- partitions -----------------------------------------------------------------------------

  /** Opens (creating if needed) every partition of a topic; idempotent. */
  async provisionTopic(name: string, spec: TopicSpec): Promise<void> {
    if (this.closed) throw new EddyError(ErrorCode.BrokerShuttingDown, 'SPU is shutting down');
    const existing = this.topics.get(name);
    if (existing && existing.length === spec.partitions) {
      for (const l of existing) l.updateSpec(spec);
      return;
    }
    const opened = await Promise.allSettled(
      Array.from({ length: spec.partitions }, (_, p) =>
        existing?.[p] ? Promise.resolve(existing[p]) : PartitionLeader.open(this.id, this.partitionDir(name, p), name, p, spec, this.logger)),
    );
    const failed = opened.find((r) => r.status === 'rejected');
    if (failed) {
      await Promise.all(opened.map((r) => (r.status === 'fulfilled' && !existing?.includes(r.value) ? r.value.close(new UnknownTopicError(name)) : undefined)));
      throw (failed as PromiseRejectedResult).reason;
    }
    const leaders = opened.map((r) => (r as PromiseFulfilledResult<PartitionLeader>).value);
    for (const l of leaders) l.updateSpec(spec);
    this.topics.set(name, leaders);
  }

  /** Ends the topic's streams, removes its partitions' folders and its consumer offsets. */
  async removeTopic(name: string): Promise<void> {
    const leaders = this.topics.get(name) ?? [];
    this.topics.delete(name);
    const gone = new EddyError(ErrorCode.UnknownTopic, `topic '${name}' was deleted`);
    await Promise.all(leaders.map((l) => l.destroy(gone)));
    // Folders of partitions that were never opened (a crash mid-create or mid-delete).
    const re = new RegExp(`^${name.replace(/[-]/g, '\\-')}-(\\d+)$`);
    for (const entry of await readdir(this.dir)) {
      if (re.test(entry)) await PartitionLog.destroy(join(this.dir, entry));
    }
    await this.consumerOffsets.removeTopic(name);
  }

  leader(topic: string, partition: number): PartitionLeader | undefined {
    return this.topics.get(topic)?.[partition];
  }

  /** The leader of a partition or the typed error for why there is none. */
  requireLeader(topic: string, partition: number): PartitionLeader {
    const leaders = this.topics.get(topic);
    if (!leaders) throw new UnknownTopicError(topic);
    const l = leaders[partition];
    if (!l) throw new EddyError(ErrorCode.UnknownPartition, `topic '${topic}' has no partition ${partition} (it has ${leaders.length})`);
    return l;
  }

  hasTopic(topic: string): boolean {
    return this.topics.has(topic);
  }

  topicNames(): string[] {
    return [...this.topics.keys()];
  }

  /** Live status of every partition of a topic (empty when the topic is not led here). */
  partitionStatuses(topic: string): PartitionStatus[] {
    return (this.topics.get(topic) ?? []).map((l) => l.status());
  }

  private partitionDir(topic: string, partition: number): string {
    return join(this.dir, `${topic}-${partition}`);
  }

  // ---- produce --------------------------------------------------------------------------------

  /**
   * Appends every partition's batches. All appends are issued synchronously, in request order,
   * before the first await, so pipelined requests to one partition keep their order. A bad
   * partition entry fails only itself.
   */
  produce(req: ProduceRequest): Promise<ProduceResponse> {
    const mods = req.smartmodules;
    const noEngine = mods.length > 0 && !this.produceTransform
      ? new EddyError(ErrorCode.SmartModuleRuntime, 'SmartModules on produce are not available on this broker yet')
      : null;
    if (req.topics.length === 1 && req.topics[0].partitions.length === 1) {
      // The common case (one producer batch per request): no per-topic promise fan-in.
      const t = req.topics[0];
      const p = t.partitions[0];
      const r = this.producePartition(t.name, p.partition, p.records, mods, noEngine);
      const name = t.name;
      return Promise.resolve(r).then((partition) => ({ topics: [{ name, partitions: [partition] }] }));
    }
    const topics = req.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => this.producePartition(t.name, p.partition, p.records, mods, noEngine)),
    }));
    return Promise.all(topics.map(async (t) => ({ name: t.name, partitions: await Promise.all(t.partitions) })))
      .then((done) => ({ topics: done }));
  }

  private producePartition(
    topic: string, partition: number, records: Buffer, mods: SmartModuleInvocation[], refuse: EddyError | null,
  ): Promise<ProducePartitionResult> | ProducePartitionResult {
    let leader: PartitionLeader;
    let scan;
    let compressed = false;
    try {
      if (refuse) throw refuse;
      leader = this.requireLeader(topic, partition);
      try {
        scan = scanBatches(records, leader.wantCompression);
      } catch (err) {
        if (err instanceof CorruptBatchError) throw new EddyError(ErrorCode.CorruptMessage, err.message);
        throw err;
      }
      const max = leader.config.maxRecordBytes;
      if (scan.largest > max) {
        throw new EddyError(ErrorCode.RecordTooLarge, `a batch of ${scan.largest} bytes exceeds topic '${topic}' max record size of ${max} bytes`);
      }
      compressed = validateProduced(records);
    } catch (err) {
      return produceError(partition, err);
    }
    const bytes = records.length;
    const count = scan.records;
    const transform = this.produceTransform;
    const chain = mods.length > 0 && transform ? (b: Buffer) => transform(mods, { topic, partition }, b) : undefined;
    // Compressed records are checked before the chain or recompression sees them, in the
    // leader's ordered queue, so appends keep arrival order.
    const maxSection = maxSectionBytes(leader.config.maxRecordBytes);
    const prepare = !compressed ? chain
      : chain ? (b: Buffer) => validateCompressed(b, maxSection).then(() => chain(b))
      : (b: Buffer) => validateCompressed(b, maxSection).then(() => b);
    return leader.append(records, scan.needsRecompress, prepare).then(
      (r) => {
        this.observer.produced?.(topic, partition, bytes, count);
        return {
          partition, errorCode: ErrorCode.None, errorMessage: null,
          baseOffset: r ? r.baseOffset : -1, lastOffset: r ? r.lastOffset : -1, smartModuleError: null,
        };
      },
      (err) => produceError(partition, err),
    );
  }

  // ---- offsets --------------------------------------------------------------------------------

  /** Log start and high watermark per partition (all when none listed), and a timestamp lookup. */
  async listOffsets(req: ListOffsetsRequest): Promise<ListOffsetsResponse> {
    const leaders = this.topics.get(req.topic);
    if (!leaders) return { errorCode: ErrorCode.UnknownTopic, errorMessage: `unknown topic '${req.topic}'`, partitions: [] };
    const wanted = req.partitions.length > 0 ? req.partitions : leaders.map((l) => ({ partition: l.partition, timestamp: -1 }));
    const partitions = await Promise.all(wanted.map(async ({ partition, timestamp }) => {
      const l = leaders[partition];
      if (!l) return { partition, errorCode: ErrorCode.UnknownPartition, logStartOffset: -1, highWatermark: -1, timestampOffset: -1 };
      try {
        const timestampOffset = timestamp === -1 ? -1 : await l.log.offsetForTimestamp(timestamp);
        return { partition, errorCode: ErrorCode.None, logStartOffset: l.log.logStartOffset, highWatermark: l.log.highWatermark, timestampOffset };
      } catch (err) {
        return { partition, errorCode: toEddyError(err).code, logStartOffset: -1, highWatermark: -1, timestampOffset: -1 };
      }
    }));
    return { errorCode: ErrorCode.None, errorMessage: null, partitions };
  }

  // ---- streaming fetch ------------------------------------------------------------------------

  /**
   * Creates (not yet started: call `start()`) a stream for `req` that pushes to `sink`. Throws
   * EddyError for an unknown topic or partition, or SmartModules without an engine; the stream
   * itself reports later errors in its responses.
   */
  async createStream(
    id: number,
    req: StreamFetchRequest,
    sink: StreamSink,
    onEnd?: () => void,
  ): Promise<FetchStream> {
    if (this.closed) throw new EddyError(ErrorCode.BrokerShuttingDown, 'SPU is shutting down');
    const leader = this.requireLeader(req.topic, req.partition);
    let transform: BatchTransform | undefined;
    if (req.smartmodules.length > 0) {
      if (!this.fetchTransformFactory) {
        throw new EddyError(ErrorCode.SmartModuleRuntime, 'SmartModules on fetch are not available on this broker yet');
      }
      transform = await this.fetchTransformFactory(req.smartmodules, { topic: req.topic, partition: req.partition, leader });
    }
    const { topic, partition } = req;
    const release = transform?.close ? () => {
      Promise.resolve().then(() => transform.close?.()).catch((err: unknown) => {
        this.logger?.warn({ topic, partition, err: (err as Error).message }, 'closing a stream transform failed');
      });
    } : undefined;
    const stream = new FetchStream(id, leader, req, sink, {
      transform,
      onSent: (bytes, records) => this.observer.fetched?.(topic, partition, bytes, records),
      onEnd: release ? () => { release(); onEnd?.(); } : onEnd,
    });
    return stream;
  }

  // ---- retention and lifecycle ----------------------------------------------------------------

  /** One retention pass over every partition, in parallel. */
  async enforceRetention(now = Date.now()): Promise<void> {
    if (this.retentionRunning || this.closed) return;
    this.retentionRunning = true;
    try {
      const all = [...this.topics.values()].flat();
      await Promise.all(all.map(async (l) => {
        try {
          const r = await l.log.enforceRetention(now);
          if (r.deletedSegments > 0) {
            this.logger?.info({ topic: l.topic, partition: l.partition, deletedSegments: r.deletedSegments, logStartOffset: l.log.logStartOffset }, 'retention deleted segments');
          }
        } catch (err) {
          this.logger?.warn({ topic: l.topic, partition: l.partition, err: (err as Error).message }, 'retention failed');
        }
      }));
    } finally {
      this.retentionRunning = false;
    }
  }

  /** Ends every stream, flushes and closes every log. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.retentionTimer) clearInterval(this.retentionTimer);
    const bye = new EddyError(ErrorCode.BrokerShuttingDown, 'the broker is shutting down');
    const leaders = [...this.topics.values()].flat();
    this.topics.clear();
    const results = await Promise.allSettled(leaders.map((l) => l.close(bye)));
    for (const r of results) {
      if (r.status === 'rejected') this.logger?.error({ err: (r.reason as Error).message }, 'closing a partition log failed');
    }
    await this.consumerOffsets.close();
  }
}

function produceError(partition: number, err: unknown): ProducePartitionResult {
  const e = toEddyError(err);
  const info = (err as { smartModuleError?: SmartModuleErrorInfo }).smartModuleError ?? null;
  return { partition, errorCode: e.code, errorMessage: e.message, baseOffset: -1, lastOffset: -1, smartModuleError: info };
}
