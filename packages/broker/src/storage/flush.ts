// How appended bytes reach the disk: one writer per partition drains a queue of appends in
// order, coalescing everything queued into one write per segment (group commit).
//
// Flush policies, and exactly what each can lose:
//
// - 'os': an append is acknowledged once write() into the segment file returned, i.e. the bytes
//   are in the kernel page cache. A crash of the process (kill -9, OOM, a bug) loses nothing that
//   was acknowledged: the kernel still writes the pages back. A crash of the machine (power loss,
//   kernel panic) can lose acknowledged records that the kernel had not written back yet (by
//   default up to ~30 s of writes, see vm.dirty_expire_centisecs); recovery then truncates the
//   log to the last whole valid batch, so what survives is a prefix of what was acknowledged
//   (a power loss can also tear the tail, which recovery cuts off; new segment files may vanish).
//
// - 'fsync': an append is acknowledged after fdatasync() of the segment file (and, when a segment
//   was just created, fsync of the partition folder so its directory entry is durable). Nothing
//   acknowledged is lost by a process or machine crash, as long as the disk honours flushes.
//   Group commit: appends arriving while a sync runs are queued; when it returns they are written
//   with one writev and share the next single fdatasync, so throughput does not drop to one sync
//   per append.
//
// In both modes an append is visible to readers (highWatermark, onAppend) only once acknowledged.
// Under 'os', groups of up to SYNC_WRITE_MAX_BYTES are written with a synchronous writev on the
// event loop thread (a copy into the page cache: microseconds), so an append is acknowledged and
// visible to tailing readers in the same tick it arrived; larger groups go through the thread pool
// so the event loop keeps decoding requests while the kernel copies.
// Index files are never synced: recovery rebuilds or repairs them from the log.
import type { Segment } from './segment.ts';
import { fdatasync, pwritevAll, pwritevAllSync } from './fs_io.ts';

/** Largest group written synchronously under 'os' (see above). */
export const SYNC_WRITE_MAX_BYTES = 64 * 1024;

export type FlushPolicy = 'os' | 'fsync';

export interface AppendResult {
  /** Offset assigned to the first record of the first batch. */
  baseOffset: number;
  /** Offset of the last record of the last batch. */
  lastOffset: number;
}

export interface WriterStats {
  /** Groups written (one writev, and one fdatasync under 'fsync', per segment per group). */
  groups: number;
  /** writev calls issued for log data. */
  writeCalls: number;
  /** fdatasync calls issued for log data by the writer. */
  syncCalls: number;
}

/** What the writer needs from the log around each group. */
export interface WriterHost {
  /** Called before the first write into a segment whose files do not exist yet (a roll). */
  prepareSegment(segment: Segment): Promise<void>;
  /** Bytes of `segment` below `endPosition` (offsets below `nextOffset`) are durable per the policy. */
  commit(segment: Segment, endPosition: number, nextOffset: number): void;
  /** After a group is acknowledged: lazy index writes. */
  afterGroup(segment: Segment): Promise<void>;
  /** A write or sync failed: returns the error every pending and future append gets. */
  fail(err: unknown): Error;
}

interface PendingWrite {
  readonly segment: Segment;
  readonly position: number;
  readonly data: Buffer;
  readonly result: AppendResult;
  readonly resolve: (r: AppendResult) => void;
  readonly reject: (e: unknown) => void;
}

export class GroupCommitWriter {
  private readonly policy: FlushPolicy;
  private readonly host: WriterHost;
  private queue: PendingWrite[] = [];
  private running: Promise<void> | null = null;
  private failure: Error | null = null;
  readonly stats: WriterStats = { groups: 0, writeCalls: 0, syncCalls: 0 };

  constructor(policy: FlushPolicy, host: WriterHost) {
    this.policy = policy;
    this.host = host;
  }

  /** Queues `data` for `segment` at `position` (appends must be enqueued in position order). */
  enqueue(segment: Segment, position: number, data: Buffer, result: AppendResult): Promise<AppendResult> {
    if (this.failure !== null) return Promise.reject(this.failure);
    const { promise, resolve, reject } = Promise.withResolvers<AppendResult>();
    this.queue.push({ segment, position, data, result, resolve, reject });
    this.running ??= this.run();
    return promise;
  }

  /** Resolves once everything queued so far (and anything queued meanwhile) has been handled. */
  async idle(): Promise<void> {
    while (this.running !== null) await this.running;
  }

  private async run(): Promise<void> {
    // Yield once so that appends issued in the same tick join the first group.
    await Promise.resolve();
    let group: PendingWrite[] = [];
    let done = 0;
    try {
      while (this.queue.length > 0) {
        group = this.queue;
        this.queue = [];
        done = 0;
        while (done < group.length) done = await this.writeRun(group, done);
        this.stats.groups++;
        await this.host.afterGroup(group[group.length - 1].segment);
      }
    } catch (err) {
      this.failure = this.host.fail(err);
      for (let i = done; i < group.length; i++) group[i].reject(this.failure);
      for (const w of this.queue) w.reject(this.failure);
      this.queue = [];
    } finally {
      this.running = null;
    }
  }

  /** Writes (and syncs) the run of `group` from `from` that targets one segment; returns where it ended. */
  private async writeRun(group: PendingWrite[], from: number): Promise<number> {
    const segment = group[from].segment;
    if (segment.fd < 0) await this.host.prepareSegment(segment);
    // Contiguous views of the same cache buffer merge into one iovec.
    const iov: Buffer[] = [];
    let last: Buffer | null = null;
    let bytes = 0;
    let i = from;
    for (; i < group.length && group[i].segment === segment; i++) {
      const d = group[i].data;
      bytes += d.length;
      if (last !== null && last.buffer === d.buffer && last.byteOffset + last.length === d.byteOffset) {
        last = Buffer.from(last.buffer, last.byteOffset, last.length + d.length);
        iov[iov.length - 1] = last;
      } else {
        last = d;
        iov.push(d);
      }
    }
    const tail = group[i - 1];
    if (this.policy === 'os' && bytes <= SYNC_WRITE_MAX_BYTES) pwritevAllSync(segment.fd, iov, group[from].position);
    else await pwritevAll(segment.fd, iov, group[from].position);
    this.stats.writeCalls++;
    if (this.policy === 'fsync') {
      await fdatasync(segment.fd);
      this.stats.syncCalls++;
    } else {
      segment.unsynced = true;
    }
    this.host.commit(segment, tail.position + tail.data.length, tail.result.lastOffset + 1);
    for (let k = from; k < i; k++) group[k].resolve(group[k].result);
    return i;
  }
}
