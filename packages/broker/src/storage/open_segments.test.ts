import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PartitionLog } from './partition_log.ts';
import { OpenSegments, openSegmentsCapFor } from './open_segments.ts';
import { StorageOffsetOutOfRangeError } from './errors.ts';
import { makeBatch, splitBatches } from '../../test/support/test_batches.ts';
import { MAX_OPEN_SEALED_SEGMENTS, MIN_OPEN_SEALED_SEGMENTS } from '../defaults.ts';

/** Descriptors of this process open on files in `dir` (deleted ones included: they still count). */
function fdsInto(dir: string): string[] {
  const prefix = fs.realpathSync(dir) + path.sep;
  const out: string[] = [];
  for (const fd of fs.readdirSync('/proc/self/fd')) {
    try {
      const target = fs.readlinkSync(path.join('/proc/self/fd', fd));
      if (target.startsWith(prefix)) out.push(target);
    } catch {
      // Closed between the listing and the readlink (e.g. the listing's own descriptor).
    }
  }
  return out;
}

const ACTIVE_FDS = 3;
/** 250-byte batches, 4 per 1000-byte segment. */
const batch = (tag: number): Buffer => makeBatch({ payloadBytes: 189, tag });

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'eddy-open-segments-'));
  try {
    await fn(path.join(root, 'p'));
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

/**
 * Descriptors into `dir` once the closes the OpenSegments list started have finished (they run on
 * the thread pool, after an fdatasync for unsynced data; flush() waits for them).
 */
async function settledFds(log: PartitionLog, dir: string): Promise<number> {
  await log.flush();
  return fdsInto(dir).length;
}

/** Reads every batch from logStartOffset on, one read per call, checking descriptors after each. */
async function readAll(log: PartitionLog, dir: string, maxFds: number): Promise<number[]> {
  const tags: number[] = [];
  for (let offset = log.logStartOffset; offset < log.highWatermark; ) {
    const r = await log.read(offset, 1 << 20);
    for (const b of splitBatches(r.data)) tags.push(b.tag);
    r.release();
    offset = r.nextOffset;
    const open = await settledFds(log, dir);
    assert.ok(open <= maxFds, `${open} descriptors into the partition after reading to ${offset}, cap ${maxFds}`);
  }
  return tags;
}

test('openSegmentsCapFor: a share of the limit, within bounds', () => {
  assert.equal(openSegmentsCapFor(1024), 128);
  assert.equal(openSegmentsCapFor(16), MIN_OPEN_SEALED_SEGMENTS);
  assert.equal(openSegmentsCapFor(1 << 20), MAX_OPEN_SEALED_SEGMENTS);
  assert.equal(openSegmentsCapFor(Infinity), MAX_OPEN_SEALED_SEGMENTS);
  assert.ok(openSegmentsCapFor(null) >= MIN_OPEN_SEALED_SEGMENTS);
});

test('a partition of many closed segments holds at most cap + 3 descriptors, and every record reads back', async () => {
  await withDir(async (dir) => {
    const cap = 4;
    const lru = new OpenSegments(cap);
    const config = { flush: 'os' as const, segmentBytes: 1000 };
    const log = await PartitionLog.open(dir, config, { openSegments: lru });
    const count = 160;
    for (let i = 0; i < count; i++) await log.append(batch(i));
    assert.equal(log.segmentCount, 40);
    assert.ok((await settledFds(log, dir)) <= cap + ACTIVE_FDS, `after appends: ${fdsInto(dir).length}`);
    assert.ok(lru.closedCount >= 40 - 1 - cap, 'rolls closed the logs of segments beyond the cap');

    const expected = Array.from({ length: count }, (_, i) => i);
    const closedBefore = lru.closedCount;
    assert.deepEqual(await readAll(log, dir, cap + ACTIVE_FDS), expected);
    assert.ok(lru.closedCount > closedBefore, 'reading old segments reopened logs and closed others');

    // Reading one segment again and again keeps it open: no reopen per read.
    const closedAfterScan = lru.closedCount;
    for (let i = 0; i < 5; i++) (await log.read(0, 1)).release();
    for (let i = 0; i < 5; i++) (await log.read(0, 1)).release();
    assert.equal(lru.closedCount, closedAfterScan + 1, 'one reopen of segment 0 (closing one other), then hits');

    // Concurrent reads of every segment pin more than the cap for a while, then fall back to it.
    const all = await Promise.all(Array.from({ length: 40 }, (_, s) => log.read(s * 4, 1 << 20)));
    all.forEach((r, s) => {
      assert.deepEqual(splitBatches(r.data).map((b) => b.tag), [s * 4, s * 4 + 1, s * 4 + 2, s * 4 + 3]);
      r.release();
    });
    assert.ok((await settledFds(log, dir)) <= cap + ACTIVE_FDS, `after concurrent reads: ${fdsInto(dir).length}`);

    // Timestamp lookups reopen closed logs too.
    assert.equal(await log.offsetForTimestamp(0), 0);
    await log.close();
    assert.equal(fdsInto(dir).length, 0, 'close releases every descriptor');
    assert.equal(lru.size, 0);

    // Recovery of 40 segments hands each closed one to the list as it goes.
    const again = await PartitionLog.open(dir, config, { openSegments: lru });
    assert.ok((await settledFds(again, dir)) <= cap + ACTIVE_FDS, `after recovery: ${fdsInto(dir).length}`);
    assert.deepEqual(await readAll(again, dir, cap + ACTIVE_FDS), expected);
    await again.close();
    assert.equal(fdsInto(dir).length, 0);
  });
});

test('retention deletes closed segments whose logs were closed for being idle', async () => {
  await withDir(async (dir) => {
    const lru = new OpenSegments(1);
    const log = await PartitionLog.open(dir, { flush: 'os', segmentBytes: 1000, retentionBytes: 2500 }, { openSegments: lru });
    for (let i = 0; i < 40; i++) await log.append(batch(i));
    (await log.read(0, 1)).release(); // segment 0 reopened, then closed again by the next
    (await log.read(20, 1)).release();
    assert.ok((await settledFds(log, dir)) <= 1 + ACTIVE_FDS);
    const { deletedSegments } = await log.enforceRetention();
    assert.equal(deletedSegments, 8);
    assert.equal(log.logStartOffset, 32);
    assert.equal(fs.readdirSync(dir).length, 3 * log.segmentCount, 'files of deleted segments are gone');
    assert.deepEqual(fdsInto(dir).filter((t) => t.endsWith('(deleted)')), [], 'no descriptor left on a deleted file');
    await assert.rejects(log.read(0, 100), StorageOffsetOutOfRangeError);
    assert.deepEqual(await readAll(log, dir, 1 + ACTIVE_FDS), [32, 33, 34, 35, 36, 37, 38, 39]);
    await log.close();
  });
});

test('a read racing retention on a closed segment gets its data or out-of-range, nothing else', async () => {
  await withDir(async (dir) => {
    const lru = new OpenSegments(0); // every closed segment's log closes once no read holds it
    const log = await PartitionLog.open(dir, { flush: 'os', segmentBytes: 1000, retentionBytes: 0 }, { openSegments: lru });
    for (let i = 0; i < 12; i++) await log.append(batch(i));
    assert.equal(await settledFds(log, dir), ACTIVE_FDS, 'only the active segment is open');
    const reads = [log.read(0, 1 << 20), log.read(4, 1 << 20)];
    const retention = log.enforceRetention();
    for (const [i, r] of (await Promise.allSettled(reads)).entries()) {
      if (r.status === 'fulfilled') assert.equal(splitBatches(r.value.data)[0].tag, i * 4);
      else assert.ok(r.reason instanceof StorageOffsetOutOfRangeError, String(r.reason));
    }
    assert.deepEqual(await retention, { deletedSegments: 2 });
    assert.equal(await settledFds(log, dir), ACTIVE_FDS);
    await log.close();
  });
});
