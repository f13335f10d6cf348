// One segment of a partition: `{base:020}.log` (batches exactly as on the wire), its sparse
// `.index` and `.timeindex`, and the in-memory state describing them. The segment does file I/O
// only; deciding what to write where is PartitionLog's job.
import fs from 'node:fs';
import path from 'node:path';
import { OFFSET_INDEX_ENTRY_BYTES, OffsetIndex } from './offset_index.ts';
import { TIME_INDEX_ENTRY_BYTES, TimeIndex } from './time_index.ts';
import type { TailCache } from './tail_cache.ts';
import { closeFd, ftruncate, openFd, O_READ_WRITE, O_READ_WRITE_CREATE, pwriteAll } from './fs_io.ts';
import { scanBatches } from './segment_scanner.ts';

export const LOG_SUFFIX = '.log';
export const INDEX_SUFFIX = '.index';
export const TIME_INDEX_SUFFIX = '.timeindex';

/** Read size of the short scan that restores index bookkeeping after a truncation. */
const TRACKING_SCAN_CHUNK_BYTES = 64 * 1024;

const NAME_PATTERN = /^(\d{20})\.(log|index|timeindex)$/;

/** `{base_offset:020}{suffix}` */
export function segmentFileName(baseOffset: number, suffix: string): string {
  return String(baseOffset).padStart(20, '0') + suffix;
}

/** Parses a segment file name; null for anything else in the folder. */
export function parseSegmentFileName(name: string): { baseOffset: number; suffix: string } | null {
  const m = NAME_PATTERN.exec(name);
  if (m === null) return null;
  const baseOffset = Number(m[1]);
  if (!Number.isSafeInteger(baseOffset)) return null;
  return { baseOffset, suffix: '.' + m[2] };
}

async function unlinkIfPresent(file: string): Promise<void> {
  try {
    await fs.promises.unlink(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

export class Segment {
  readonly baseOffset: number;
  readonly logPath: string;
  readonly indexPath: string;
  readonly timeIndexPath: string;

  /** Log file descriptor (read/write), -1 before the file is opened or after close. */
  fd = -1;
  private indexFd = -1;
  private timeIndexFd = -1;

  /** Bytes assigned to this segment: written, or queued for writing. */
  size = 0;
  /** Bytes written and acknowledged; readers never look past this. */
  committedSize = 0;
  /** Offset after the last assigned batch. */
  nextOffset: number;
  /** Offset after the last acknowledged batch. */
  committedNextOffset: number;
  /** Largest batch max_timestamp seen (-Infinity when empty). */
  maxTimestamp = -Infinity;
  /** Relative offset of the last batch, -1 when empty. */
  lastBatchRelativeOffset = -1;
  /** Wall-clock time of the last append (file mtime after recovery); retention's fallback clock. */
  lastModifiedMs = Date.now();
  /** Written but not yet fdatasync'ed (flush policy 'os'). */
  unsynced = false;
  /** True while this is the write target (index files open). */
  writable = false;

  offsetIndex = new OffsetIndex();
  timeIndex = new TimeIndex();
  /** Recent bytes of the active segment; null for sealed segments. */
  cache: TailCache | null = null;

  private bytesSinceIndex = 0;
  private refs = 0;
  private idleWaiters: Array<() => void> = [];
  private fdClosing: Promise<void> | null = null;
  private finishing: Promise<void> | null = null;
  private indexWrites: Promise<void> = Promise.resolve();

  constructor(dir: string, baseOffset: number) {
    this.baseOffset = baseOffset;
    this.nextOffset = baseOffset;
    this.committedNextOffset = baseOffset;
    this.logPath = path.join(dir, segmentFileName(baseOffset, LOG_SUFFIX));
    this.indexPath = path.join(dir, segmentFileName(baseOffset, INDEX_SUFFIX));
    this.timeIndexPath = path.join(dir, segmentFileName(baseOffset, TIME_INDEX_SUFFIX));
  }

  /** Bytes of index entries not yet written to the index files. */
  get indexBacklogBytes(): number {
    return (
      (this.offsetIndex.length - this.offsetIndex.persisted) * OFFSET_INDEX_ENTRY_BYTES +
      (this.timeIndex.length - this.timeIndex.persisted) * TIME_INDEX_ENTRY_BYTES
    );
  }

  /**
   * Books one batch (appended or found by recovery) into the sparse indexes. The rule must be the
   * same in both cases so a rebuilt index equals the original: an entry for the batch that starts
   * once `intervalBytes` have passed since the previous entry; a time entry there if the max grew.
   */
  trackBatch(relativeOffset: number, position: number, size: number, maxTimestamp: number, intervalBytes: number): void {
    if (maxTimestamp > this.maxTimestamp) this.maxTimestamp = maxTimestamp;
    if (this.bytesSinceIndex >= intervalBytes) {
      this.offsetIndex.append(relativeOffset, position);
      if (this.maxTimestamp > this.timeIndex.lastTimestamp) this.timeIndex.append(this.maxTimestamp, relativeOffset);
      this.bytesSinceIndex = 0;
    }
    this.bytesSinceIndex += size;
    this.lastBatchRelativeOffset = relativeOffset;
  }

  /** Restarts index bookkeeping at a batch boundary that has (or is) an index entry. */
  resetTracking(): void {
    this.bytesSinceIndex = 0;
    this.maxTimestamp = this.timeIndex.lastTimestamp;
    this.lastBatchRelativeOffset = -1;
  }

  /** Adds the final time entry (segment max, last batch) so a sealed segment's max is on file. */
  seal(): void {
    if (this.lastBatchRelativeOffset >= 0) this.timeIndex.append(this.maxTimestamp, this.lastBatchRelativeOffset);
  }

  /** Creates the three files of a new segment and makes it writable. */
  async createFiles(): Promise<void> {
    this.fd = await openFd(this.logPath, O_READ_WRITE_CREATE);
    await this.openIndexFiles();
  }

  /** Opens an existing log file (recovery). */
  async openLog(): Promise<fs.Stats> {
    this.fd = await openFd(this.logPath, O_READ_WRITE);
    return await new Promise<fs.Stats>((resolve, reject) => {
      fs.fstat(this.fd, (err, st) => (err ? reject(err) : resolve(st)));
    });
  }

  /** Opens the index files for appending entries (the active segment). */
  async openIndexFiles(): Promise<void> {
    this.indexFd = await openFd(this.indexPath, O_READ_WRITE_CREATE);
    this.timeIndexFd = await openFd(this.timeIndexPath, O_READ_WRITE_CREATE);
    this.writable = true;
  }

  /** Replaces both index files with the in-memory entries (after recovery rebuilt or trimmed them). */
  async rewriteIndexFiles(): Promise<void> {
    await fs.promises.writeFile(this.indexPath, this.offsetIndex.encode());
    this.offsetIndex.persisted = this.offsetIndex.length;
    await fs.promises.writeFile(this.timeIndexPath, this.timeIndex.encode());
    this.timeIndex.persisted = this.timeIndex.length;
  }

  /**
   * Writes index entries not yet on file. Serialised so concurrent callers never interleave.
   * Time entries go first: recovery then finds the time index at least as far as the offset index.
   */
  persistIndexes(): Promise<void> {
    const run = this.indexWrites.then(() => this.writeIndexBacklog());
    this.indexWrites = run.catch(() => {});
    return run;
  }

  private async writeIndexBacklog(): Promise<void> {
    if (this.indexFd < 0) return;
    const ti = this.timeIndex;
    const tiCount = ti.length;
    if (tiCount > ti.persisted) {
      const from = ti.persisted;
      await pwriteAll(this.timeIndexFd, ti.encode(from), from * TIME_INDEX_ENTRY_BYTES);
      ti.persisted = tiCount;
    }
    const oi = this.offsetIndex;
    const oiCount = oi.length;
    if (oiCount > oi.persisted) {
      const from = oi.persisted;
      await pwriteAll(this.indexFd, oi.encode(from), from * OFFSET_INDEX_ENTRY_BYTES);
      oi.persisted = oiCount;
    }
  }

  /** Ends the segment's life as write target: seal, write index backlog, close index files, drop the cache. */
  finishWrites(): Promise<void> {
    if (!this.writable) return Promise.resolve();
    this.finishing ??= (async () => {
      this.seal();
      // Queued behind any index write in progress, so nothing writes to a closed index fd.
      const run = this.indexWrites.then(async () => {
        await this.writeIndexBacklog();
        const fds = [this.indexFd, this.timeIndexFd];
        this.indexFd = -1;
        this.timeIndexFd = -1;
        for (const fd of fds) if (fd >= 0) await closeFd(fd);
      });
      this.indexWrites = run.catch(() => {});
      await run;
      this.writable = false;
      this.cache?.clear();
      this.cache = null;
    })();
    return this.finishing;
  }

  /**
   * Cuts the segment back to its acknowledged data after a failed append: the log file, the index
   * entries in memory and on file, and the index bookkeeping (restored as recovery does, by a scan
   * from the last index entry). It is the write target again afterwards, even if a roll had
   * already retired it. The caller replaces the tail cache, which may hold the cut bytes.
   */
  async truncateToCommitted(intervalBytes: number): Promise<void> {
    // After any index write in flight, so that it cannot mark cut entries as persisted.
    await this.indexWrites;
    const size = this.committedSize;
    this.size = size;
    this.nextOffset = this.committedNextOffset;
    this.offsetIndex.truncateToPosition(size);
    this.timeIndex.truncateAfter(this.committedNextOffset - 1 - this.baseOffset);
    await ftruncate(this.fd, size);
    // A roll's finishWrites closed the index files (or failed part-way and left them open).
    if (this.indexFd < 0) this.indexFd = await openFd(this.indexPath, O_READ_WRITE_CREATE);
    if (this.timeIndexFd < 0) this.timeIndexFd = await openFd(this.timeIndexPath, O_READ_WRITE_CREATE);
    await ftruncate(this.indexFd, this.offsetIndex.persisted * OFFSET_INDEX_ENTRY_BYTES);
    await ftruncate(this.timeIndexFd, this.timeIndex.persisted * TIME_INDEX_ENTRY_BYTES);
    this.finishing = null;
    this.writable = true;
    this.resetTracking();
    await scanBatches(this.fd, {
      from: this.offsetIndex.lastPosition,
      to: size,
      expectedBaseOffset: null,
      verifyCrc: false,
      chunkBytes: TRACKING_SCAN_CHUNK_BYTES,
      onBatch: (base, position, batchSize, _delta, maxTimestamp) => {
        this.trackBatch(base - this.baseOffset, position, batchSize, maxTimestamp, intervalBytes);
      },
    });
  }

  /**
   * Removes a segment that holds nothing acknowledged (made by the roll of a failed append)
   * without writing anything more to it: a full disk may not take even index entries.
   */
  async discard(): Promise<void> {
    this.offsetIndex.clear();
    this.timeIndex.clear();
    this.lastBatchRelativeOffset = -1;
    this.cache?.clear();
    this.cache = null;
    await unlinkIfPresent(this.logPath);
    await unlinkIfPresent(this.indexPath);
    await unlinkIfPresent(this.timeIndexPath);
    await this.indexWrites;
    const fds = [this.indexFd, this.timeIndexFd];
    this.indexFd = -1;
    this.timeIndexFd = -1;
    this.writable = false;
    for (const fd of fds) if (fd >= 0) await closeFd(fd);
    await this.releaseFd();
  }

  /** Pins the log fd for a read; pair with release(). */
  acquire(): void {
    this.refs++;
  }

  release(): void {
    if (--this.refs === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  /** Closes the log fd once no read holds it. */
  private releaseFd(): Promise<void> {
    this.fdClosing ??= (async () => {
      if (this.refs > 0) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
      const fd = this.fd;
      this.fd = -1;
      if (fd >= 0) await closeFd(fd);
    })();
    return this.fdClosing;
  }

  async close(): Promise<void> {
    await this.finishWrites();
    await this.releaseFd();
  }

  /**
   * Removes the segment's files. The .log goes first so a crash part-way leaves only index files
   * without a log, which recovery removes. Reads in flight finish on the unlinked file.
   */
  async deleteFiles(): Promise<void> {
    await unlinkIfPresent(this.logPath);
    await unlinkIfPresent(this.indexPath);
    await unlinkIfPresent(this.timeIndexPath);
    await this.close();
  }
}
