import type { Logger } from 'pino';
import { EddyError, ErrorCode, parseCompression } from '@eddy/protocol';
import type { CompressionCode, PartitionStatus, TopicSpec } from '@eddy/protocol';
import { PartitionLog, describeLost } from '../storage/index.ts';
import type { PartitionLogConfig } from '../storage/index.ts';
import { recompressBatches } from './recompress.ts';
import { maxSectionBytes } from './produce_validation.ts';

export interface AppendResult { baseOffset: number; lastOffset: number }

/** Something attached to a partition that must end when the partition goes away (a stream). */
export interface PartitionAttachment {
  abort(error: EddyError): void;
}

export function logConfigOf(spec: TopicSpec): PartitionLogConfig {
  return {
    segmentBytes: spec.segmentBytes,
    retentionMs: spec.retentionMs < 0 ? null : spec.retentionMs,
    retentionBytes: spec.retentionBytes < 0 ? null : spec.retentionBytes,
    flush: spec.flush === 'fsync' ? 'fsync' : 'os',
  };
}

/**
 * The leader replica of one partition on this SPU: its log, the topic's settings that apply on
 * the write path, and the streams reading it. Appends keep arrival order even when some of them
 * must be recompressed first (compression runs in parallel, appends in sequence).
 */
export class PartitionLeader {
  readonly topic: string;
  readonly partition: number;
  readonly dir: string;
  readonly log: PartitionLog;
  readonly spuId: number;
  private spec: TopicSpec;
  private targetCodec: CompressionCode | -1;
  private attachments = new Set<PartitionAttachment>();
  /** Appends waiting behind a recompression, to keep arrival order. */
  private queued = 0;
  private tail: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(spuId: number, topic: string, partition: number, dir: string, log: PartitionLog, spec: TopicSpec) {
    this.spuId = spuId;
    this.topic = topic;
    this.partition = partition;
    this.dir = dir;
    this.log = log;
    this.spec = spec;
    this.targetCodec = codecOf(spec);
  }

  static async open(spuId: number, dir: string, topic: string, partition: number, spec: TopicSpec, logger?: Logger): Promise<PartitionLeader> {
    const log = await PartitionLog.open(dir, logConfigOf(spec), { logger: logger?.child({ topic, partition }) });
    return new PartitionLeader(spuId, topic, partition, dir, log, spec);
  }

  get config(): TopicSpec { return this.spec; }

  /** The compression code the topic stores, or -1 for 'any'. */
  get wantCompression(): number { return this.targetCodec; }

  /** Settings used on the write path; storage settings apply from the next open. */
  updateSpec(spec: TopicSpec): void {
    this.spec = spec;
    this.targetCodec = codecOf(spec);
  }

  /**
   * Appends whole batches (already framed and size-checked by the caller), in call order.
   * `prepare` (a produce-side SmartModule chain) runs first and `recompress` applies the topic's
   * codec; both run concurrently with other appends, the appends themselves stay in order.
   * Resolves to null when `prepare` left nothing to append.
   */
  append(batches: Buffer, recompress: boolean, prepare?: (batches: Buffer) => Promise<Buffer>): Promise<AppendResult | null> {
    if (this.closed) return Promise.reject(new EddyError(ErrorCode.NotLeader, `partition ${this.topic}/${this.partition} is closed on this SPU`));
    if (!recompress && !prepare && this.queued === 0) return this.log.append(batches);
    const target = this.targetCodec;
    let prepared = prepare ? prepare(batches) : Promise.resolve(batches);
    if (recompress && target !== -1) {
      const maxSection = maxSectionBytes(this.spec.maxRecordBytes);
      prepared = prepared.then((b) => (b.length > 0 ? recompressBatches(b, target, maxSection) : b));
    }
    // It may fail before its turn comes: mark it handled now; the await below still sees the error.
    prepared.catch(() => {});
    this.queued++;
    const run = this.tail.then(async () => {
      try {
        const ready = await prepared;
        return ready.length > 0 ? await this.log.append(ready) : null;
      } finally {
        this.queued--;
      }
    });
    this.tail = run.catch(() => {});
    return run;
  }

  status(): PartitionStatus {
    const lost = this.log.lostRanges;
    let lostOffsets = 0;
    for (const r of lost) lostOffsets += r.to - r.from;
    return {
      damage: describeLost(lost),
      lostOffsets,
      partition: this.partition,
      leader: this.spuId,
      status: this.closed ? 'Offline' : 'Online',
      logStartOffset: this.log.logStartOffset,
      highWatermark: this.log.highWatermark,
      sizeBytes: this.log.sizeBytes,
    };
  }

  attach(a: PartitionAttachment): void { this.attachments.add(a); }
  detach(a: PartitionAttachment): void { this.attachments.delete(a); }

  /** Ends attached streams with `error`, then flushes and closes the log. */
  async close(error: EddyError): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const a of [...this.attachments]) a.abort(error);
    this.attachments.clear();
    await this.tail;
    await this.log.close();
  }

  /** close() and remove the partition's folder. */
  async destroy(error: EddyError): Promise<void> {
    await this.close(error);
    await PartitionLog.destroy(this.dir);
  }
}

function codecOf(spec: TopicSpec): CompressionCode | -1 {
  return spec.compression === 'any' ? -1 : parseCompression(spec.compression);
}
