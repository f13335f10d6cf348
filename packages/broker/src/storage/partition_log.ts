// PartitionLog: one partition's durable, ordered, append-only log in one folder of segments.
//
// Appends are validated, given offsets and booked into the in-memory indexes synchronously, in
// call order; a single writer (flush.ts) then writes them in groups and acknowledges them per the
// flush policy. Readers see only acknowledged data: everything below highWatermark.
//
// An append is all or nothing. When a write fails (typically a full disk) every append not yet
// acknowledged is undone: the segment files are cut back to the acknowledged data, segments made
// by their rolls are removed, and only then are those appends rejected (LogWriteError). The log
// stays open; the next append simply tries again, so writes resume by themselves once space is
// freed (logged once as "writes resumed"). Nothing on the success path checks for this.
import fs from 'node:fs';
import { batchMaxTimestamp } from '@eddy/protocol';
import { batchLastOffsetDelta, batchTotalSize, setBatchBaseOffset } from '@eddy/protocol/internal';
import { readSegmentBatches, type ReadResult, type ReadStats } from './batch_reader.ts';
import { resolveConfig, type PartitionLogConfig, type ResolvedPartitionLogConfig } from './config.ts';
import { LogClosedError, LogFailedError, LogWriteError, StorageOffsetOutOfRangeError } from './errors.ts';
import { GroupCommitWriter, type AppendResult, type WriterStats } from './flush.ts';
import { fdatasync, fsyncDir } from './fs_io.ts';
import { validateIncoming } from './incoming_batches.ts';
import { defaultStorageLogger, type StorageLogger } from './logger.ts';
import { recoverLog } from './recovery.ts';
import { type LostRange, lostRanges } from './damage.ts';
import { segmentsToDelete, type RetentionCandidate } from './retention.ts';
import { Segment } from './segment.ts';
import { scanBatches } from './segment_scanner.ts';
import { NO_HOLD, SlabPool, TailCache } from './tail_cache.ts';
import { BufferPool } from './buffer_pool.ts';
import { SHARED_OPEN_SEGMENTS, type OpenSegments } from './open_segments.ts';

export interface PartitionLogOptions {
  logger?: StorageLogger;
  /** Where disk reads get their buffers (default: one pool shared by the process's logs). */
  readPool?: BufferPool;
  /** Which closed segments keep their log open (default: one list shared by the process's logs). */
  openSegments?: OpenSegments;
}

/** Disk-read buffers of every log that was not given a pool of its own. */
const SHARED_READ_POOL = new BufferPool(32 * 1024 * 1024);

export interface RetentionResult {
  deletedSegments: number;
}

/** Relative offsets of batch starts are u32 in the indexes. */
const MAX_RELATIVE_OFFSET = 0xffffffff;
/** Index entries are written once this much accumulates (or on roll, flush, close). */
const INDEX_WRITE_THRESHOLD_BYTES = 16 * 1024;
const TIMESTAMP_SCAN_CHUNK_BYTES = 64 * 1024;
const EMPTY: Buffer = Buffer.alloc(0);

export class PartitionLog {
  readonly dir: string;
  readonly config: ResolvedPartitionLogConfig;
  private readonly logger: StorageLogger;
  private readonly readPool: BufferPool;
  private readonly openSegments: OpenSegments;
  /** Oldest first; the last one is the active (write target) segment. */
  private segments: Segment[];
  private active: Segment;
  /** Next offset to assign (runs ahead of hw while appends are in flight). */
  private endOffset: number;
  private hw: number;
  private startOffset: number;
  private readonly writer: GroupCommitWriter;
  private readonly listeners = new Set<(highWatermark: number) => void>();
  private state: 'open' | 'closing' | 'closed' = 'open';
  /**
   * Why appends are refused right now: a LogWriteError while failed appends are being undone, a
   * LogFailedError for good when undoing them failed (reopening runs recovery). Null normally.
   */
  private refusal: LogWriteError | LogFailedError | null = null;
  /** The first error of a run of failed writes, until a write succeeds again (then logged). */
  private outage: LogWriteError | null = null;
  /** Failed writes (each failing all appends then pending) since the outage began. */
  private failedWrites = 0;
  private closing: Promise<void> | null = null;
  private retentionTimer: NodeJS.Timeout | null = null;
  private retentionChain: Promise<unknown> = Promise.resolve();
  private readonly reads: ReadStats = { cacheHits: 0, diskReads: 0 };
  /** Tail-cache slabs, recycled across this partition's segments. */
  private readonly slabs: SlabPool;

  private constructor(
    dir: string,
    config: ResolvedPartitionLogConfig,
    logger: StorageLogger,
    segments: Segment[],
    readPool: BufferPool,
    openSegments: OpenSegments,
  ) {
    this.dir = dir;
    this.readPool = readPool;
    this.openSegments = openSegments;
    this.config = config;
    this.logger = logger;
    this.segments = segments;
    this.active = segments[segments.length - 1];
    this.slabs = new SlabPool(Math.floor(config.tailCacheBytes / 2));
    if (config.tailCacheBytes > 0) this.active.cache = new TailCache(config.tailCacheBytes, this.slabs);
    this.endOffset = this.hw = this.active.nextOffset;
    this.startOffset = segments[0].baseOffset;
    this.writer = new GroupCommitWriter(config.flush, {
      prepareSegment: (segment) => this.prepareSegment(segment),
      commit: (segment, endPosition, nextOffset, advance) => {
        segment.committedSize = endPosition;
        segment.committedNextOffset = nextOffset;
        segment.cache?.written(endPosition);
        if (!advance) return;
        if (this.outage !== null) this.writesResumed();
        this.hw = nextOffset;
        this.notify(nextOffset);
      },
      afterGroup: (segment) => this.afterGroup(segment),
      fail: (err) => this.writeFailed(err),
    });
  }

  /** Opens (creating if needed) the partition folder `dir` and recovers it. */
  static async open(dir: string, config: PartitionLogConfig, opts: PartitionLogOptions = {}): Promise<PartitionLog> {
    const resolved = resolveConfig(config);
    const logger = opts.logger ?? defaultStorageLogger;
    const openSegments = opts.openSegments ?? SHARED_OPEN_SEGMENTS;
    const segments = await recoverLog(dir, resolved, logger, openSegments);
    const log = new PartitionLog(dir, resolved, logger, segments, opts.readPool ?? SHARED_READ_POOL, openSegments);
    logger.info(
      { dir, segments: segments.length, logStartOffset: log.logStartOffset, highWatermark: log.highWatermark },
      'partition log opened',
    );
    return log;
  }

  /** Removes a partition folder and everything in it (the log must not be open). */
  static async destroy(dir: string): Promise<void> {
    await fs.promises.rm(dir, { recursive: true, force: true });
  }

  /** Offset after the last acknowledged record: the next offset a reader waits for. */
  get highWatermark(): number {
    return this.hw;
  }

  /** Next offset to be assigned; ahead of highWatermark while appends are in flight. */
  get logEndOffset(): number {
    return this.endOffset;
  }

  /** First offset still stored. */
  get logStartOffset(): number {
    return this.startOffset;
  }

  /** Bytes of acknowledged data in all segments. */
  get sizeBytes(): number {
    let total = 0;
    for (const s of this.segments) total += s.committedSize;
    return total;
  }

  /** Offset ranges lost to damaged segments found when the log was opened (see damage.ts). */
  get lostRanges(): LostRange[] {
    return lostRanges(this.segments);
  }

  get segmentCount(): number {
    return this.segments.length;
  }

  /** Reads served from the tail cache vs from the segment files (for metrics and tests). */
  get readStats(): Readonly<ReadStats> {
    return this.reads;
  }

  /** Write/sync counters of the group-commit writer (for metrics and tests). */
  get writerStats(): Readonly<WriterStats> {
    return this.writer.stats;
  }

  /**
   * Appends one or more complete batches (concatenated, as received from a producer). All are
   * validated first (bounds, magic, CRC): on any problem this rejects with CorruptAppendError and
   * writes nothing. Offsets are assigned in call order: each batch's base_offset is rewritten to
   * the assigned offset (the stored copy; if the data is too large for the tail cache, the
   * caller's buffer is rewritten in place and must not be modified until the promise settles).
   * Resolves when acknowledged per the flush policy.
   */
  append(batches: Buffer): Promise<AppendResult> {
    if (this.state !== 'open') return Promise.reject(new LogClosedError(this.dir));
    if (this.refusal !== null) return Promise.reject(this.refusal);
    let offsetCount: number;
    try {
      offsetCount = validateIncoming(batches).offsetCount;
    } catch (err) {
      return Promise.reject(err);
    }
    const baseOffset = this.endOffset;
    const lastOffset = baseOffset + offsetCount - 1;
    const active = this.active;
    if (active.size + batches.length <= this.config.segmentBytes && lastOffset - active.baseOffset <= MAX_RELATIVE_OFFSET) {
      return this.appendRun(active, batches, baseOffset, lastOffset);
    }
    return this.appendAcrossSegments(batches, baseOffset, lastOffset);
  }

  /**
   * An append that does not fit in the active segment: rolls before each batch that would take
   * the segment past segmentBytes (or past what its index can address), so one produce request of
   * many batches still yields segments of the configured size. A batch larger than segmentBytes
   * goes whole into a segment of its own. Each run is queued in order; the writer rejects every
   * later run when one fails, so the last run's outcome is the append's.
   */
  private appendAcrossSegments(batches: Buffer, baseOffset: number, lastOffset: number): Promise<AppendResult> {
    const limit = this.config.segmentBytes;
    let segment = this.active;
    let size = segment.size;
    let runStart = 0;
    let runBase = baseOffset;
    let next = baseOffset;
    let last: Promise<AppendResult> | null = null;
    for (let at = 0; at < batches.length; ) {
      const bytes = batchTotalSize(batches, at);
      const batchLast = next + batchLastOffsetDelta(batches, at);
      if (size > 0 && (size + bytes > limit || batchLast - segment.baseOffset > MAX_RELATIVE_OFFSET)) {
        if (at > runStart) {
          last?.catch(() => {});
          last = this.appendRun(segment, batches.subarray(runStart, at), runBase, next - 1, false);
        }
        segment = this.roll();
        size = 0;
        runStart = at;
        runBase = next;
      }
      size += bytes;
      next = batchLast + 1;
      at += bytes;
    }
    last?.catch(() => {});
    last = this.appendRun(segment, batches.subarray(runStart), runBase, next - 1);
    return last.then(() => ({ baseOffset, lastOffset }));
  }

  /**
   * Assigns offsets to `batches` (whole batches, offsets [baseOffset, lastOffset]) at the end of
   * `segment` and queues the write. `final` is false for a run the append continues after.
   */
  private appendRun(segment: Segment, batches: Buffer, baseOffset: number, lastOffset: number, final = true): Promise<AppendResult> {
    const position = segment.size;
    const stored = segment.cache?.put(batches, position, baseOffset, lastOffset + 1) ?? batches;
    const interval = this.config.indexIntervalBytes;
    let next = baseOffset;
    for (let at = 0; at < stored.length; ) {
      const size = batchTotalSize(stored, at);
      setBatchBaseOffset(stored, at, next);
      segment.trackBatch(next - segment.baseOffset, position + at, size, batchMaxTimestamp(stored, at), interval);
      next += batchLastOffsetDelta(stored, at) + 1;
      at += size;
    }
    segment.size = position + stored.length;
    segment.nextOffset = next;
    segment.lastModifiedMs = Date.now();
    this.endOffset = next;
    return this.writer.enqueue(segment, position, stored, { baseOffset, lastOffset }, final);
  }

  /** Starts a new active segment at endOffset (its files are created by the writer). */
  private roll(): Segment {
    this.active.seal();
    const segment = new Segment(this.dir, this.endOffset, this.openSegments);
    if (this.config.tailCacheBytes > 0) segment.cache = new TailCache(this.config.tailCacheBytes, this.slabs);
    this.segments.push(segment);
    this.active = segment;
    return segment;
  }

  private async prepareSegment(segment: Segment): Promise<void> {
    // Everything before `segment` is fully written: retire the previous write target.
    for (const s of this.segments) if (s !== segment && s.writable) await s.finishWrites();
    await segment.createFiles();
    if (this.config.flush === 'fsync') await fsyncDir(this.dir);
    this.logger.info({ dir: this.dir, baseOffset: segment.baseOffset }, 'rolled to new segment');
  }

  /**
   * The writer failed: undo every unacknowledged append (appends are refused meanwhile) and
   * return the error they are rejected with. If undoing fails too, the log refuses appends until
   * it is reopened (recovery then cuts what it can).
   */
  private async writeFailed(err: unknown): Promise<Error> {
    const error = new LogWriteError(this.dir, err);
    this.refusal = error;
    // Segments made by rolls of the failed appends hold nothing acknowledged. Taken off the list
    // at once (synchronously), so retention never mistakes the segment before them for a closed one.
    const dropped: Segment[] = [];
    while (this.segments.length > 1 && this.segments[this.segments.length - 1].committedSize === 0) {
      dropped.push(this.segments.pop()!);
    }
    const active = this.segments[this.segments.length - 1];
    this.active = active;
    try {
      for (const s of dropped) await s.discard();
      await active.truncateToCommitted(this.config.indexIntervalBytes);
      if (this.config.flush === 'fsync') {
        // The cut must be as durable as acknowledged data: the appends are reported failed.
        await fdatasync(active.fd);
        if (dropped.length > 0) await fsyncDir(this.dir);
      }
    } catch (undoErr) {
      this.refusal = new LogFailedError(this.dir, undoErr);
      this.logger.error(
        { dir: this.dir, err: String(err), undoErr: String(undoErr) },
        'partition log write failed and could not be undone; appends stopped until reopened',
      );
      return this.refusal;
    }
    // The cache may hold the cut bytes under offsets that will be assigned again.
    active.cache?.clear();
    active.cache = this.config.tailCacheBytes > 0 ? new TailCache(this.config.tailCacheBytes, this.slabs) : null;
    this.endOffset = active.nextOffset;
    this.refusal = null;
    if (this.outage === null) {
      this.outage = error;
      this.failedWrites = 0;
      this.logger.error(
        { dir: this.dir, err: String(err), diskFull: error.diskFull, highWatermark: this.hw },
        'partition log write failed; unacknowledged appends undone, later appends retry',
      );
    }
    this.failedWrites++;
    return error;
  }

  private writesResumed(): void {
    this.logger.info(
      { dir: this.dir, failedWrites: this.failedWrites, cause: this.outage?.message },
      'partition log writes resumed',
    );
    this.outage = null;
  }

  private async afterGroup(segment: Segment): Promise<void> {
    if (segment.indexBacklogBytes >= INDEX_WRITE_THRESHOLD_BYTES) await segment.persistIndexes();
  }

  private notify(hw: number): void {
    for (const listener of this.listeners) {
      try {
        listener(hw);
      } catch (err) {
        this.logger.error({ dir: this.dir, err: String(err) }, 'onAppend listener threw');
      }
    }
  }

  /**
   * Whole batches starting with the one that contains `offset` (it may begin before `offset`;
   * the consumer skips the records it does not want), up to `maxBytes` but always at least one
   * batch. Empty data when offset == highWatermark. A read never spans two segments.
   */
  async read(offset: number, maxBytes: number): Promise<ReadResult> {
    if (this.state === 'closed') throw new LogClosedError(this.dir);
    const hw = this.hw;
    if (!Number.isSafeInteger(offset) || offset < this.startOffset || offset > hw) {
      throw new StorageOffsetOutOfRangeError(offset, this.startOffset, hw);
    }
    if (offset === hw) return { data: EMPTY, nextOffset: hw, release: NO_HOLD };
    const segment = this.segmentFor(offset);
    segment.acquire();
    try {
      // Only a sealed segment's log closed for being idle costs anything here (one open).
      if (segment.fd < 0 && !(await segment.reopen())) throw this.segmentGone(offset);
      return await readSegmentBatches(segment, offset, Math.max(1, maxBytes), this.config.indexIntervalBytes, this.reads, this.readPool);
    } finally {
      segment.release();
    }
  }

  /** Why a segment found for a read is not there any more: retention deleted it, or the log closed. */
  private segmentGone(offset: number): Error {
    if (this.state !== 'open') return new LogClosedError(this.dir);
    return new StorageOffsetOutOfRangeError(offset, this.startOffset, this.hw);
  }

  /** The segment whose committed data holds `offset` (or the first batch after it, across a gap). */
  private segmentFor(offset: number): Segment {
    const segs = this.segments;
    let lo = 0;
    let hi = segs.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (segs[mid].baseOffset <= offset) lo = mid;
      else hi = mid - 1;
    }
    while (lo < segs.length - 1 && offset >= segs[lo].committedNextOffset) lo++;
    return segs[lo];
  }

  /**
   * First offset of the first batch whose max_timestamp >= `timestamp` (highWatermark if none),
   * found via the time index and a short header walk.
   */
  async offsetForTimestamp(timestamp: number): Promise<number> {
    if (this.state === 'closed') throw new LogClosedError(this.dir);
    const hw = this.hw;
    for (const segment of [...this.segments]) {
      if (segment.baseOffset >= hw || segment.committedSize === 0) continue;
      if (segment.maxTimestamp < timestamp) continue;
      const below = segment.timeIndex.lastBelow(timestamp);
      const from = below < 0 ? 0 : segment.offsetIndex.floorPosition(below);
      let found = -1;
      segment.acquire();
      try {
        if (segment.fd < 0 && !(await segment.reopen())) continue; // deleted by retention meanwhile
        await scanBatches(segment.fd, {
          from,
          to: segment.committedSize,
          expectedBaseOffset: null,
          verifyCrc: false,
          chunkBytes: TIMESTAMP_SCAN_CHUNK_BYTES,
          onBatch: (base, _pos, _size, _delta, maxTs) => {
            if (maxTs < timestamp) return false;
            found = base;
            return true;
          },
        });
      } finally {
        segment.release();
      }
      if (found >= 0) return Math.max(found, this.startOffset);
    }
    return hw;
  }

  /**
   * Calls `listener(highWatermark)` synchronously whenever acknowledged appends advance the high
   * watermark (once per written group, not per append). Returns an unsubscribe function.
   */
  onAppend(listener: (highWatermark: number) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /**
   * Deletes whole closed segments: those (from the oldest) whose newest record is older than
   * retentionMs, and the oldest while the log is larger than retentionBytes. Advances
   * logStartOffset. The active segment is never deleted. Runs are serialised.
   */
  enforceRetention(now = Date.now()): Promise<RetentionResult> {
    const run = this.retentionChain.then(() => this.runRetention(now));
    this.retentionChain = run.catch(() => {});
    return run;
  }

  private async runRetention(now: number): Promise<RetentionResult> {
    if (this.state !== 'open') return { deletedSegments: 0 };
    const { retentionMs, retentionBytes } = this.config;
    if (retentionMs === null && retentionBytes === null) return { deletedSegments: 0 };
    const candidates: RetentionCandidate[] = [];
    for (let i = 0; i < this.segments.length - 1; i++) {
      const s = this.segments[i];
      if (s.writable || s.committedSize !== s.size) break; // still being written
      candidates.push({
        sizeBytes: s.committedSize,
        newestTimestampMs: s.maxTimestamp >= 0 ? s.maxTimestamp : s.lastModifiedMs,
      });
    }
    const count = segmentsToDelete(candidates, this.sizeBytes, { retentionMs, retentionBytes }, now);
    if (count === 0) return { deletedSegments: 0 };
    const doomed = this.segments.splice(0, count);
    this.startOffset = this.segments[0].baseOffset;
    for (const s of doomed) await s.deleteFiles();
    if (this.config.flush === 'fsync') await fsyncDir(this.dir);
    this.logger.info(
      { dir: this.dir, deletedSegments: count, logStartOffset: this.startOffset },
      'retention deleted segments',
    );
    return { deletedSegments: count };
  }

  /** Runs enforceRetention every `intervalMs` until stopRetention() or close(). */
  startRetention(intervalMs: number): void {
    this.stopRetention();
    this.retentionTimer = setInterval(() => {
      this.enforceRetention().catch((err: unknown) => {
        this.logger.error({ dir: this.dir, err: String(err) }, 'retention failed');
      });
    }, intervalMs);
    this.retentionTimer.unref();
  }

  stopRetention(): void {
    if (this.retentionTimer !== null) clearInterval(this.retentionTimer);
    this.retentionTimer = null;
  }

  /** Waits for in-flight appends, writes index backlogs and fdatasyncs every segment with unsynced data. */
  async flush(): Promise<void> {
    if (this.state === 'closed') throw new LogClosedError(this.dir);
    await this.flushAll();
  }

  private async flushAll(): Promise<void> {
    await this.writer.idle();
    for (const s of [...this.segments]) {
      // A log the OpenSegments list closed was synced first, perhaps still under way.
      if (s.fd < 0) {
        await s.idleCloseDone();
        continue;
      }
      s.acquire();
      try {
        if (s.writable) await s.persistIndexes();
        if (s.unsynced) {
          s.unsynced = false;
          await fdatasync(s.fd);
        }
      } finally {
        s.release();
      }
    }
  }

  /** Stops accepting appends, waits for in-flight ones, flushes, closes every file. Idempotent. */
  close(): Promise<void> {
    this.closing ??= this.doClose();
    return this.closing;
  }

  private async doClose(): Promise<void> {
    this.state = 'closing';
    this.stopRetention();
    await this.retentionChain;
    try {
      await this.flushAll();
    } finally {
      for (const s of this.segments) await s.close();
      this.listeners.clear();
      this.state = 'closed';
    }
  }

  /** Closes the log and removes its folder. */
  async delete(): Promise<void> {
    await this.close();
    await PartitionLog.destroy(this.dir);
  }
}
