// One segment of a partition: `{base:020}.log` (batches exactly as on the wire), its sparse
// `.index` and `.timeindex`, and the in-memory state describing them. The segment does file I/O
// only; deciding what to write where is PartitionLog's job.
//
// Descriptors: the write target holds its three files open. A sealed segment holds at most its
// log's, and only while an OpenSegments list (shared, capped) keeps it; otherwise it is closed and
// a reader reopens it (reopen) while holding its pin (acquire/release).
import fs from 'node:fs';
import path from 'node:path';
import { OFFSET_INDEX_ENTRY_BYTES, OffsetIndex } from './offset_index.ts';
import { TIME_INDEX_ENTRY_BYTES, TimeIndex } from './time_index.ts';
import type { TailCache } from './tail_cache.ts';
import { closeFd, fdatasync, ftruncate, openFd, O_READ_WRITE, O_READ_WRITE_CREATE, pwriteAll } from './fs_io.ts';
import type { OpenSegments } from './open_segments.ts';
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

  /**
   * Log file descriptor (read/write), -1 before the file is opened, while a sealed segment's log
   * is closed for being idle (see reopen), and after close.
   */
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

  /** Links of the OpenSegments list that holds this segment's open log (managed by that list). */
  lruOwner: OpenSegments | null = null;
  lruPrev: Segment | null = null;
  lruNext: Segment | null = null;

  private bytesSinceIndex = 0;
  private refs = 0;
  private idleWaiters: Array<() => void> = [];
  private fdClosing: Promise<void> | null = null;
  private finishing: Promise<void> | null = null;
  private indexWrites: Promise<void> = Promise.resolve();
  /** Where this segment's log goes once sealed; null: it stays open until close. */
  private readonly openSegments: OpenSegments | null;
  /** Closed for good (close, delete, discard): never reopened. */
  private retired = false;
  /** A reopen in progress (shared by concurrent readers). */
  private opening: Promise<boolean> | null = null;
  /** The close of a log found idle by the OpenSegments list (errors are logged there). */
  private idleClose: Promise<void> = Promise.resolve();

  constructor(dir: string, baseOffset: number, openSegments: OpenSegments | null = null) {
    this.openSegments = openSegments;
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
      this.park();
    })();
    return this.finishing;
  }

  /** A sealed segment's open log joins the OpenSegments list, which closes it when idle. */
  park(): void {
    if (this.openSegments !== null && !this.retired && !this.writable && this.fd >= 0) this.openSegments.admit(this);
  }

  /** True while the log must stay open: a read holds it, or a reopen is under way. */
  get pinned(): boolean {
    return this.refs > 0 || this.opening !== null;
  }

  /**
   * Opens the log again after the OpenSegments list closed it. Call while holding a pin
   * (acquire). Resolves false if the segment was closed for good (or deleted) meanwhile.
   */
  reopen(): Promise<boolean> {
    if (this.fd >= 0) return Promise.resolve(true);
    if (this.retired) return Promise.resolve(false);
    this.opening ??= this.openLogAgain().finally(() => {
      this.opening = null;
    });
    return this.opening;
  }

  private async openLogAgain(): Promise<boolean> {
    await this.idleClose; // one descriptor per segment at most
    let fd: number;
    try {
      fd = await openFd(this.logPath, O_READ_WRITE);
    } catch (err) {
      // Deleted (retention) between the reader's lookup and now: as if it had looked later.
      if ((err as NodeJS.ErrnoException).code === 'ENOENT' && this.retired) return false;
      throw err;
    }
    if (this.retired) {
      await closeFd(fd);
      return false;
    }
    this.fd = fd;
    this.park();
    return true;
  }

  /** Called by the OpenSegments list for an unpinned sealed segment: syncs if needed, closes the log. */
  closeIdleLog(): Promise<void> {
    const fd = this.fd;
    if (fd < 0) return Promise.resolve();
    this.fd = -1;
    const unsynced = this.unsynced;
    this.unsynced = false;
    const run = (async () => {
      // Its data must be as safe as if it had stayed open until flush() or close() synced it.
      if (unsynced) await fdatasync(fd).finally(() => closeFd(fd).catch(() => {}));
      else await closeFd(fd);
    })();
    this.idleClose = run.catch(() => {});
    return run;
  }

  /** Resolves once a close started by the OpenSegments list has finished. */
  idleCloseDone(): Promise<void> {
    return this.idleClose;
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
    // A roll may have sealed it and the OpenSegments list closed its log: it is the write target
    // again, so open, and out of that list.
    while (this.fd < 0) {
      if (!(await this.reopen())) throw new Error(`segment ${this.logPath} was closed`);
    }
    this.openSegments?.remove(this);
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
    this.retired = true;
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
    // A read of a sealed segment: it becomes the last the OpenSegments list would close.
    if (this.lruOwner !== null) this.lruOwner.touch(this);
  }

  release(): void {
    if (--this.refs === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
      // Pinned segments are skipped when the list is over its cap: close them now.
      const lru = this.lruOwner;
      if (lru !== null && lru.size > lru.cap) lru.trim();
    }
  }

  /** Closes the log fd for good once no read holds it. */
  private releaseFd(): Promise<void> {
    this.retired = true;
    this.openSegments?.remove(this);
    this.fdClosing ??= (async () => {
      if (this.refs > 0) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
      if (this.opening !== null) await this.opening.catch(() => false);
      await this.idleClose;
      const fd = this.fd;
      this.fd = -1;
      if (fd >= 0) await closeFd(fd);
    })();
    return this.fdClosing;
  }

  async close(): Promise<void> {
    this.retired = true;
    await this.finishWrites();
    await this.releaseFd();
  }

  /**
   * Removes the segment's files. The .log goes first so a crash part-way leaves only index files
   * without a log, which recovery removes. Reads in flight finish on the unlinked file.
   */
  async deleteFiles(): Promise<void> {
    this.retired = true; // a reader's reopen now finds it gone rather than failing on ENOENT
    await unlinkIfPresent(this.logPath);
    await unlinkIfPresent(this.indexPath);
    await unlinkIfPresent(this.timeIndexPath);
    await this.close();
  }
}
