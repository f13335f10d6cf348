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
// An append is acknowledged whole: one that spans a segment roll is written as several runs, and
// only the write of its last run commits it. When a write fails the host undoes every write not
// yet committed (see WriterHost.fail) before the failed appends are rejected, so a client told
// "failed" never finds those records later, not even after a crash.
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
  /**
   * Bytes of `segment` below `endPosition` (offsets below `nextOffset`) are durable per the policy
   * and belong to whole appends. `advance`: they are the newest acknowledged data (false for the
   * earlier segments of an append that spans a roll, committed just before its last segment).
   */
  commit(segment: Segment, endPosition: number, nextOffset: number, advance: boolean): void;
  /** After a group is acknowledged: lazy index writes. */
  afterGroup(segment: Segment): Promise<void>;
  /**
   * A write, sync or index write failed. The host undoes everything written after the last commit
   * and resolves with the error every append not yet acknowledged is rejected with. The writer
   * takes new appends again afterwards (the host decides whether to give it any).
   */
  fail(err: unknown): Promise<Error>;
}

interface PendingWrite {
  readonly segment: Segment;
  readonly position: number;
  readonly data: Buffer;
  readonly result: AppendResult;
  /** Ends an append (false: the append continues with a run in the next segment). */
  readonly final: boolean;
  readonly resolve: (r: AppendResult) => void;
  readonly reject: (e: unknown) => void;
}

export class GroupCommitWriter {
  private readonly policy: FlushPolicy;
  private readonly host: WriterHost;
  private queue: PendingWrite[] = [];
  /** Written runs of an append that continues in a later segment: committed with its last run. */
  private carried: PendingWrite[] = [];
  private running: Promise<void> | null = null;
  readonly stats: WriterStats = { groups: 0, writeCalls: 0, syncCalls: 0 };

  constructor(policy: FlushPolicy, host: WriterHost) {
    this.policy = policy;
    this.host = host;
  }

  /**
   * Queues `data` for `segment` at `position` (appends must be enqueued in position order, the
   * runs of one append together). `final` is false for every run of an append but its last.
   */
  enqueue(segment: Segment, position: number, data: Buffer, result: AppendResult, final = true): Promise<AppendResult> {
    const { promise, resolve, reject } = Promise.withResolvers<AppendResult>();
    this.queue.push({ segment, position, data, result, final, resolve, reject });
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
      // Nothing of these was acknowledged. They are rejected only once the host has undone their
      // writes: an append answered "failed" must not come back after a crash.
      const failed = [...this.carried, ...group.slice(done), ...this.queue];
      this.carried = [];
      this.queue = [];
      const error = await this.host.fail(err);
      for (const w of failed) w.reject(error);
    } finally {
      this.running = null;
      if (this.queue.length > 0) this.running = this.run();
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
    if (this.policy === 'os' && bytes <= SYNC_WRITE_MAX_BYTES) pwritevAllSync(segment.fd, iov, group[from].position);
    else await pwritevAll(segment.fd, iov, group[from].position);
    this.stats.writeCalls++;
    if (this.policy === 'fsync') {
      await fdatasync(segment.fd);
      this.stats.syncCalls++;
    } else {
      segment.unsynced = true;
    }
    // Only the last run of a segment can continue in the next one (runs of an append are queued together).
    const tail = group[i - 1];
    const end = tail.final ? i : i - 1;
    if (end > from) {
      const carried = this.carried;
      if (carried.length > 0) {
        for (const c of carried) {
          this.host.commit(c.segment, c.position + c.data.length, c.result.lastOffset + 1, false);
          c.resolve(c.result);
        }
        this.carried = [];
      }
      const last = group[end - 1];
      this.host.commit(segment, last.position + last.data.length, last.result.lastOffset + 1, true);
      for (let k = from; k < end; k++) group[k].resolve(group[k].result);
    }
    if (!tail.final) this.carried.push(tail);
    return i;
  }
}
