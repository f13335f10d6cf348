// A full disk under a PartitionLog, on a real (small) tmpfs: failed appends are undone whole,
// including across a segment roll, in memory and on file; writes resume once space is freed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PartitionLog } from './partition_log.ts';
import type { PartitionLogConfig } from './config.ts';
import { LogWriteError } from './errors.ts';
import type { StorageLogger } from './logger.ts';
import { mountTmpfs } from '../../test/support/tmpfs.ts';
import { makeBatch, splitBatches } from '../../test/support/test_batches.ts';

const T0 = 1_700_000_000_000;
const BATCH_PAYLOAD = 1000;

function batches(tags: number[]): Buffer {
  return Buffer.concat(tags.map((tag) => makeBatch({ tag, records: 2, payloadBytes: BATCH_PAYLOAD, firstTimestamp: T0 + tag })));
}

function range(from: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => from + i);
}

function recordingLogger(): StorageLogger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, info: (_o: object, m: string) => lines.push(m), warn: (_o: object, m: string) => lines.push(m), error: (_o: object, m: string) => lines.push(m) };
}

async function readTags(log: PartitionLog): Promise<Array<{ tag: number; baseOffset: number }>> {
  const out: Array<{ tag: number; baseOffset: number }> = [];
  for (let offset = log.logStartOffset; offset < log.highWatermark; ) {
    const r = await log.read(offset, 1 << 20);
    const views = splitBatches(r.data);
    for (const b of views) out.push({ tag: b.tag, baseOffset: b.baseOffset });
    offset = r.nextOffset;
  }
  return out;
}

/** Bytes of all .log files in `dir`. */
function logFileBytes(dir: string): number {
  return fs.readdirSync(dir).filter((n) => n.endsWith('.log')).reduce((sum, n) => sum + fs.statSync(path.join(dir, n)).size, 0);
}

// `rollFails`: the full disk stops the roll itself (retiring the segment cannot write its index
// entries) rather than the first write into the new segment.
for (const flush of ['os', 'fsync'] as const) {
  for (const [tailCacheBytes, rollFails] of [[0, false], [64 * 1024, false], [64 * 1024, true]] as const) {
    test(`disk full (flush ${flush}, tail cache ${tailCacheBytes}, roll fails ${rollFails}): failed appends are undone whole, writes resume after freeing`, async () => {
      const tmp = mountTmpfs(1024 * 1024);
      const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'eddy-diskfull-copy-'));
      const dir = path.join(tmp.dir, 'topic-0');
      const config: PartitionLogConfig = { flush, segmentBytes: 16 * 1024, indexIntervalBytes: 1500, tailCacheBytes };
      const logger = recordingLogger();
      let log = await PartitionLog.open(dir, config, { logger });
      try {
        // What the log acknowledged, in order: tag -> base offset.
        const acked = new Map<number, number>();
        const settle = async (tags: number[], p: Promise<{ baseOffset: number }>): Promise<boolean> => {
          try {
            const r = await p;
            tags.forEach((t, i) => acked.set(t, r.baseOffset + 2 * i));
            return true;
          } catch (err) {
            assert.ok(err instanceof LogWriteError, `rejected with ${String(err)}`);
            assert.equal(err.diskFull, true);
            return false;
          }
        };
        // Segments take 15 batches (1071 bytes each): 28 leave the second one two batches short of
        // rolling, and those two fit in its last, already allocated page. So on the full disk the
        // spanning append's first run is written, the roll creates a segment, and its write fails.
        assert.ok(await settle(range(0, 28), log.append(batches(range(0, 28)))));
        const segmentsBefore = log.segmentCount;
        assert.equal(segmentsBefore, 2);

        if (!rollFails) await log.flush(); // index files get their first page now, so retiring the segment fits too
        tmp.fill();
        const linesBefore = logger.lines.length;
        const hwSeen: number[] = [];
        const unsubscribe = log.onAppend((hw) => hwSeen.push(hw));
        // A 24-batch append spans a roll (segments hold ~15 batches), with more appends queued behind it.
        const spanning = settle(range(100, 24), log.append(batches(range(100, 24))));
        const queued = [1000, 1001, 1002].map((t) => settle([t], log.append(batches([t]))));
        assert.equal(await spanning, false, 'the spanning append fails on the full disk');
        await Promise.all(queued);
        assert.equal(await settle(range(200, 24), log.append(batches(range(200, 24)))), false, 'still full: fails again');
        assert.equal(logger.lines.slice(linesBefore).includes('rolled to new segment'), !rollFails, 'the failed append rolled');
        assert.equal(log.segmentCount, segmentsBefore, 'the segment made by the roll is gone');
        assert.equal(fs.readdirSync(dir).filter((n) => n.endsWith('.log')).length, segmentsBefore);

        // Nothing of a failed append is served, in memory or on file; offsets stay dense.
        const expected = [...acked].map(([tag, baseOffset]) => ({ tag, baseOffset }));
        assert.deepEqual(await readTags(log), expected);
        assert.equal(log.highWatermark, 2 * acked.size);
        assert.equal(log.logEndOffset, log.highWatermark);
        // Tailing readers were never told of the first part of a failed append (written before the roll).
        unsubscribe();
        for (const hw of hwSeen) assert.ok(hw <= log.highWatermark, `high watermark ${hw} announced, past ${log.highWatermark}`);
        assert.equal(logFileBytes(dir), log.sizeBytes, 'the files were cut back to the acknowledged data');
        // The files as a crash would leave them now recover to exactly the acknowledged records.
        fs.cpSync(dir, copy, { recursive: true });
        const crashed = await PartitionLog.open(copy, config, { logger: recordingLogger() });
        try {
          assert.deepEqual(await readTags(crashed), expected);
        } finally {
          await crashed.close();
        }

        tmp.free();
        const hw = log.highWatermark;
        const resumed = await log.append(batches(range(300, 24)));
        assert.equal(resumed.baseOffset, hw, 'no offsets were lost to the failed appends');
        range(300, 24).forEach((t, i) => acked.set(t, resumed.baseOffset + 2 * i));
        assert.ok(log.segmentCount > segmentsBefore);
        assert.equal(logger.lines.filter((l) => l === 'partition log writes resumed').length, 1);
        assert.equal(logger.lines.filter((l) => /write failed/.test(l)).length, 1, 'the outage is logged once');

        const all = [...acked].map(([tag, baseOffset]) => ({ tag, baseOffset }));
        assert.deepEqual(await readTags(log), all);
        // The indexes were cut consistently: timestamp lookups land on the right batches.
        for (const { tag, baseOffset } of all) assert.equal(await log.offsetForTimestamp(T0 + tag), baseOffset, `tag ${tag}`);

        await log.close();
        log = await PartitionLog.open(dir, config, { logger });
        assert.deepEqual(await readTags(log), all);
        for (const { tag, baseOffset } of all) assert.equal(await log.offsetForTimestamp(T0 + tag), baseOffset, `tag ${tag} after reopen`);
      } finally {
        tmp.free();
        await log.close();
        tmp.close();
        fs.rmSync(copy, { recursive: true, force: true });
      }
    });
  }
}
