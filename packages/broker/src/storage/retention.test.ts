import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { segmentsToDelete, type RetentionCandidate } from './retention.ts';
import { PartitionLog } from './partition_log.ts';
import { StorageOffsetOutOfRangeError } from './errors.ts';
import { makeBatch, splitBatches } from '../../test/support/test_batches.ts';

const seg = (sizeBytes: number, newestTimestampMs: number): RetentionCandidate => ({ sizeBytes, newestTimestampMs });

test('segmentsToDelete: by time deletes the expired prefix only', () => {
  const closed = [seg(10, 100), seg(10, 200), seg(10, 50), seg(10, 900)];
  assert.equal(segmentsToDelete(closed, 50, { retentionMs: 500, retentionBytes: null }, 750), 3); // cutoff 250
  assert.equal(segmentsToDelete(closed, 50, { retentionMs: 500, retentionBytes: null }, 650), 1); // cutoff 150: 200 is newer
  assert.equal(segmentsToDelete(closed, 50, { retentionMs: 500, retentionBytes: null }, 600), 0); // cutoff 100: 100 is not older
  assert.equal(segmentsToDelete(closed, 50, { retentionMs: null, retentionBytes: null }, 1e12), 0);
});

test('segmentsToDelete: by size deletes oldest while the total exceeds the limit', () => {
  const closed = [seg(100, 0), seg(100, 0), seg(100, 0)];
  // total 350 (active holds 50)
  assert.equal(segmentsToDelete(closed, 350, { retentionMs: null, retentionBytes: 350 }, 0), 0);
  assert.equal(segmentsToDelete(closed, 350, { retentionMs: null, retentionBytes: 349 }, 0), 1);
  assert.equal(segmentsToDelete(closed, 350, { retentionMs: null, retentionBytes: 150 }, 0), 2);
  assert.equal(segmentsToDelete(closed, 350, { retentionMs: null, retentionBytes: 0 }, 0), 3, 'never more than the closed ones');
});

test('segmentsToDelete: properties', () => {
  fc.assert(
    fc.property(
      fc.array(fc.record({ sizeBytes: fc.integer({ min: 1, max: 1000 }), newestTimestampMs: fc.integer({ min: 0, max: 10_000 }) })),
      fc.integer({ min: 0, max: 5000 }),
      fc.option(fc.integer({ min: 0, max: 5000 }), { nil: null }),
      fc.option(fc.integer({ min: 0, max: 20_000 }), { nil: null }),
      fc.integer({ min: 0, max: 20_000 }),
      (closed, activeBytes, retentionMs, retentionBytes, now) => {
        const total = closed.reduce((n, s) => n + s.sizeBytes, activeBytes);
        const n = segmentsToDelete(closed, total, { retentionMs, retentionBytes }, now);
        assert.ok(n >= 0 && n <= closed.length);
        const left = closed.slice(n).reduce((a, s) => a + s.sizeBytes, activeBytes);
        if (retentionBytes !== null && retentionMs === null) {
          if (n < closed.length) assert.ok(left <= retentionBytes);
          if (n > 0) assert.ok(left + closed[n - 1].sizeBytes > retentionBytes, 'did not delete more than needed');
        }
        if (retentionMs !== null && retentionBytes === null) {
          for (let i = 0; i < n; i++) assert.ok(closed[i].newestTimestampMs < now - retentionMs);
          if (n < closed.length) assert.ok(closed[n].newestTimestampMs >= now - retentionMs);
        }
        if (retentionMs === null && retentionBytes === null) assert.equal(n, 0);
      },
    ),
  );
});

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'eddy-retention-'));
}

test('retention by size deletes old segments, advances logStartOffset, and survives reopen', async () => {
  const root = tempDir();
  const dir = path.join(root, 'p');
  const config = { flush: 'os' as const, segmentBytes: 1000, retentionBytes: 2500 };
  try {
    const log = await PartitionLog.open(dir, config);
    for (let i = 0; i < 30; i++) await log.append(makeBatch({ records: 2, payloadBytes: 139, tag: i })); // 200 bytes each
    const segmentsBefore = log.segmentCount;
    assert.ok(segmentsBefore >= 6);
    const { deletedSegments } = await log.enforceRetention();
    assert.ok(deletedSegments > 0);
    assert.equal(log.segmentCount, segmentsBefore - deletedSegments);
    assert.ok(log.sizeBytes <= 2500, `size ${log.sizeBytes}`);
    assert.ok(log.sizeBytes + 1000 > 2500, 'did not delete more than needed');
    assert.ok(log.logStartOffset > 0);
    assert.equal(fs.readdirSync(dir).filter((f) => f.endsWith('.log')).length, log.segmentCount);
    assert.equal(fs.readdirSync(dir).length, 3 * log.segmentCount, 'index files went too');
    await assert.rejects(log.read(log.logStartOffset - 1, 100), (err: unknown) => {
      assert.ok(err instanceof StorageOffsetOutOfRangeError);
      assert.equal(err.logStartOffset, log.logStartOffset);
      return true;
    });
    await assert.rejects(log.read(0, 100), StorageOffsetOutOfRangeError);
    const first = splitBatches((await log.read(log.logStartOffset, 1)).data)[0];
    assert.equal(first.baseOffset, log.logStartOffset);
    const start = log.logStartOffset;
    await log.close();
    const again = await PartitionLog.open(dir, config);
    assert.equal(again.logStartOffset, start);
    assert.equal(again.highWatermark, 60);
    await again.close();
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('retention by time deletes segments whose newest record is too old; the active one is kept', async () => {
  const root = tempDir();
  const dir = path.join(root, 'p');
  try {
    const log = await PartitionLog.open(dir, { flush: 'os', segmentBytes: 1000, retentionMs: 60_000 });
    const now = 10_000_000;
    // 4 batches per segment; the first 12 batches are old, the rest recent.
    for (let i = 0; i < 20; i++) await log.append(makeBatch({ payloadBytes: 189, tag: i, maxTimestamp: i < 12 ? now - 120_000 + i : now - 1000 }));
    assert.equal(log.segmentCount, 5);
    assert.deepEqual(await log.enforceRetention(now), { deletedSegments: 3 });
    assert.equal(log.logStartOffset, 12);
    assert.equal(await log.offsetForTimestamp(0), 12);
    assert.deepEqual(await log.enforceRetention(now), { deletedSegments: 0 });
    // Far in the future everything closed expires, but the active segment stays.
    assert.deepEqual(await log.enforceRetention(now + 1e9), { deletedSegments: 1 });
    assert.equal(log.segmentCount, 1);
    assert.equal(log.logStartOffset, 16);
    assert.equal(splitBatches((await log.read(16, 1 << 20)).data).length, 4);
    await log.close();
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('startRetention runs on a timer; reads in flight on a deleted segment complete', async () => {
  const root = tempDir();
  const dir = path.join(root, 'p');
  try {
    const log = await PartitionLog.open(dir, { flush: 'os', segmentBytes: 1000, retentionBytes: 0 });
    for (let i = 0; i < 12; i++) await log.append(makeBatch({ payloadBytes: 189, tag: i })); // 250 bytes: 4 per segment
    const inFlight = log.read(0, 1 << 20);
    log.startRetention(5);
    const { data } = await inFlight;
    assert.equal(splitBatches(data)[0].tag, 0);
    for (let i = 0; i < 400 && log.logStartOffset === 0; i++) await new Promise((r) => setTimeout(r, 5));
    assert.equal(log.segmentCount, 1);
    assert.equal(log.logStartOffset, 8);
    await log.close(); // stops the timer
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});
