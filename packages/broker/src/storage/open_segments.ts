// OpenSegments: the closed (sealed) segments whose log file is open, least recently read first
// out, capped. Shared by every partition of the process, so the descriptors a broker holds are its
// active segments (3 each) plus this cap, however many closed segments it stores. Kafka keeps the
// files of every segment open; a broker with many partitions and long retention then needs an
// open-file limit in the hundreds of thousands. We close idle ones and reopen on demand instead:
// a read of a segment that is open costs nothing more, one that was closed costs one open().
//
// The list is intrusive (links live in Segment): touching on a read allocates nothing.
// A segment pinned by a read (acquire/release) is never closed; if all are pinned the list runs
// over its cap until the reads release.
import { MAX_OPEN_SEALED_SEGMENTS, MIN_OPEN_SEALED_SEGMENTS, OPEN_SEALED_SEGMENTS_SHARE, OPEN_SEALED_SEGMENTS_UNKNOWN_LIMIT } from '../defaults.ts';
import { readDescriptorLimit } from '../util/descriptor_limit.ts';
import { defaultStorageLogger, type StorageLogger } from './logger.ts';
import type { Segment } from './segment.ts';

/** The cap for an open-file soft limit (null: unknown). */
export function openSegmentsCapFor(softLimit: number | null): number {
  if (softLimit === null) return OPEN_SEALED_SEGMENTS_UNKNOWN_LIMIT;
  if (softLimit === Infinity) return MAX_OPEN_SEALED_SEGMENTS;
  const share = Math.floor(softLimit * OPEN_SEALED_SEGMENTS_SHARE);
  return Math.min(MAX_OPEN_SEALED_SEGMENTS, Math.max(MIN_OPEN_SEALED_SEGMENTS, share));
}

export class OpenSegments {
  private capacity: number;
  private readonly logger: StorageLogger;
  /** Most recently used end. */
  private head: Segment | null = null;
  /** Least recently used end: closed first. */
  private tail: Segment | null = null;
  private count = 0;
  private evictions = 0;

  constructor(cap: number, logger: StorageLogger = defaultStorageLogger) {
    this.capacity = Math.max(0, cap);
    this.logger = logger;
  }

  /** How many closed segments may keep their log open. */
  get cap(): number {
    return this.capacity;
  }

  /** Closed segments with their log open now. */
  get size(): number {
    return this.count;
  }

  /** Logs closed to stay under the cap so far (for tests and metrics). */
  get closedCount(): number {
    return this.evictions;
  }

  /** Changes the cap (e.g. once the broker has raised its open-file limit); closes the excess. */
  resize(cap: number): void {
    this.capacity = Math.max(0, cap);
    this.trim();
  }

  /** A sealed segment whose log is open joins (or moves to) the most recently used end. */
  admit(s: Segment): void {
    if (s.lruOwner === this) this.unlink(s);
    s.lruOwner = this;
    this.count++;
    s.lruNext = this.head;
    s.lruPrev = null;
    if (this.head !== null) this.head.lruPrev = s;
    this.head = s;
    if (this.tail === null) this.tail = s;
    this.trim();
  }

  /** A read of `s`: moves it to the most recently used end (it must be in the list). */
  touch(s: Segment): void {
    if (s.lruOwner !== this || this.head === s) return;
    this.unlink(s);
    s.lruOwner = this;
    this.count++;
    s.lruNext = this.head;
    if (this.head !== null) this.head.lruPrev = s;
    this.head = s;
    if (this.tail === null) this.tail = s;
  }

  /** Takes `s` out of the list (closed for good, or the write target again); its log stays as it is. */
  remove(s: Segment): void {
    if (s.lruOwner === this) this.unlink(s);
  }

  /** Closes the least recently used unpinned logs until the list is within its cap. */
  trim(): void {
    let s = this.tail;
    while (this.count > this.capacity && s !== null) {
      const victim = s;
      s = s.lruPrev;
      if (victim.pinned) continue;
      this.unlink(victim);
      this.evictions++;
      victim.closeIdleLog().catch((err: unknown) => {
        this.logger.error({ segment: victim.logPath, err: String(err) }, 'closing an idle segment log failed');
      });
    }
  }

  private unlink(s: Segment): void {
    if (s.lruPrev !== null) s.lruPrev.lruNext = s.lruNext;
    else this.head = s.lruNext;
    if (s.lruNext !== null) s.lruNext.lruPrev = s.lruPrev;
    else this.tail = s.lruPrev;
    s.lruPrev = null;
    s.lruNext = null;
    s.lruOwner = null;
    this.count--;
  }
}

/**
 * The list of every log not given one of its own. Sized from the limit in force when this module
 * loads; the broker resizes it once it has raised the limit (before opening any partition).
 */
export const SHARED_OPEN_SEGMENTS = new OpenSegments(openSegmentsCapFor(readDescriptorLimit()?.soft ?? null));
