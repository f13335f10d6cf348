import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { PartitionLog } from './partition_log.ts';
import type { PartitionLogConfig } from './config.ts';
import type { StorageLogger } from './logger.ts';
import { makeBatch, splitBatches, type BatchView } from '../../test/support/test_batches.ts';
import { segmentFileName } from './segment.ts';

const CONFIG: PartitionLogConfig = { flush: 'os', segmentBytes: 3000, indexIntervalBytes: 200 };

interface Logged {
  level: 'info' | 'warn' | 'error';
  obj: Record<string, unknown>;
  msg: string;
}

function recordingLogger(): { logger: StorageLogger; entries: Logged[] } {
  const entries: Logged[] = [];
  const at = (level: Logged['level']) => (obj: object, msg: string) => entries.push({ level, obj: obj as Record<string, unknown>, msg });
  return { logger: { info: at('info'), warn: at('warn'), error: at('error') }, entries };
}

function files(dir: string, suffix: string): string[] {
  return fs.readdirSync(dir).filter((f) => f.endsWith(suffix)).sort().map((f) => path.join(dir, f));
}

async function readAll(log: PartitionLog): Promise<BatchView[]> {
  const out: BatchView[] = [];
  let offset = log.logStartOffset;
  while (offset < log.highWatermark) {
    const r = await log.read(offset, 4096);
    out.push(...splitBatches(r.data));
    offset = r.nextOffset;
  }
  return out;
}

/** A closed log in a fresh folder with `count` batches of varied sizes; returns its folder and batches. */
async function buildLog(count: number, seed = 0): Promise<{ root: string; dir: string; batches: BatchView[] }> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'eddy-recovery-'));
  const dir = path.join(root, 'p');
  const log = await PartitionLog.open(dir, CONFIG);
  for (let i = 0; i < count; i++) {
    await log.append(makeBatch({ records: 1 + ((i + seed) % 5), payloadBytes: 20 + (((i + seed) * 37) % 300), tag: i, maxTimestamp: 1000 + i }));
  }
  const batches = await readAll(log);
  await log.close();
  return { root, dir, batches };
}

test('torn or corrupt tail of the active segment is cut to the last whole batch', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 0, max: 100_000 }),
      fc.option(fc.uint8Array({ minLength: 1, maxLength: 300 }), { nil: undefined }),
      fc.integer({ min: 0, max: 4 }),
      async (cutSeed, garbage, seed) => {
        const { root, dir, batches } = await buildLog(25, seed);
        try {
          const active = files(dir, '.log').at(-1)!;
          const activeBase = Number(path.basename(active, '.log'));
          const bytes = fs.readFileSync(active);
          const layout = splitBatches(bytes);
          const cut = cutSeed % (bytes.length + 1); // bytes removed from the end
          const keptBytes = bytes.length - cut;
          fs.truncateSync(active, keptBytes);
          if (garbage !== undefined) fs.appendFileSync(active, garbage);
          // Expected survivors: every batch before the active segment, plus active batches that end within keptBytes.
          const survivingActive = layout.filter((b) => b.position + b.size <= keptBytes);
          const validEnd = survivingActive.length === 0 ? 0 : survivingActive.at(-1)!.position + survivingActive.at(-1)!.size;
          const expected = batches.filter((b) => b.baseOffset < activeBase || survivingActive.some((s) => s.baseOffset === b.baseOffset));
          const expectedHw = survivingActive.length > 0 ? survivingActive.at(-1)!.lastOffset + 1 : activeBase;

          const { logger, entries } = recordingLogger();
          const log = await PartitionLog.open(dir, CONFIG, { logger });
          try {
            assert.equal(log.highWatermark, expectedHw);
            assert.equal(fs.statSync(active).size, validEnd);
            const onDisk = keptBytes + (garbage?.length ?? 0);
            const cutWarning = entries.find((e) => e.msg === 'truncating torn or corrupt tail of segment');
            if (onDisk > validEnd) {
              assert.ok(cutWarning, 'a warning reports the cut');
              assert.equal(cutWarning.obj.truncatedBytes, onDisk - validEnd);
              assert.equal(cutWarning.obj.validBytes, validEnd);
            } else {
              assert.equal(cutWarning, undefined);
            }
            assert.deepEqual((await readAll(log)).map((b) => [b.tag, b.baseOffset, b.lastOffset]), expected.map((b) => [b.tag, b.baseOffset, b.lastOffset]));
            const r = await log.append(makeBatch({ records: 2, tag: 777 }));
            assert.deepEqual(r, { baseOffset: expectedHw, lastOffset: expectedHw + 1 });
            const tail = splitBatches((await log.read(expectedHw, 10)).data);
            assert.equal(tail[0].tag, 777);
          } finally {
            await log.close();
          }
          // And it stays consistent across another restart.
          const again = await PartitionLog.open(dir, CONFIG, { logger: recordingLogger().logger });
          assert.equal(again.highWatermark, expectedHw + 2);
          await again.close();
        } finally {
          fs.rmSync(root, { recursive: true, force: true });
        }
      },
    ),
    { numRuns: 25 },
  );
});

test('a corrupt batch at the last index entry is cut along with everything after it', async () => {
  const { root, dir, batches } = await buildLog(30);
  try {
    const index = files(dir, '.index').at(-1)!;
    const active = files(dir, '.log').at(-1)!;
    const activeBase = Number(path.basename(active, '.log'));
    const entries = fs.readFileSync(index);
    assert.ok(entries.length >= 8, 'the active segment has index entries');
    const lastRel = entries.readUInt32BE(entries.length - 8);
    const lastPos = entries.readUInt32BE(entries.length - 4);
    const bytes = fs.readFileSync(active);
    bytes[lastPos + 60] ^= 0x55; // inside the records section: CRC now fails
    fs.writeFileSync(active, bytes);
    const { logger } = recordingLogger();
    const log = await PartitionLog.open(dir, CONFIG, { logger });
    try {
      assert.equal(log.highWatermark, activeBase + lastRel);
      assert.equal(fs.statSync(active).size, lastPos);
      const survivors = batches.filter((b) => b.baseOffset < activeBase + lastRel);
      assert.deepEqual((await readAll(log)).map((b) => b.tag), survivors.map((b) => b.tag));
      // The time index of the cut segment still knows the surviving batches (timestamp 1000 + tag).
      const lastSurvivor = survivors.at(-1)!;
      assert.equal(await log.offsetForTimestamp(1000 + lastSurvivor.tag), lastSurvivor.baseOffset);
      // Index entries for the surviving batches are kept (not thrown away with the cut batch).
      const ti = fs.readFileSync(files(dir, '.timeindex').at(-1)!);
      assert.ok(ti.length >= 12, 'time index entries survive');
      assert.ok(activeBase + ti.readUInt32BE(ti.length - 4) <= lastSurvivor.baseOffset);
    } finally {
      await log.close();
    }
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('deleted or garbled index files are rebuilt identical to the originals', async () => {
  const { root, dir, batches } = await buildLog(40);
  try {
    const indexFiles = [...files(dir, '.index'), ...files(dir, '.timeindex')];
    assert.ok(files(dir, '.log').length >= 3);
    const originals = new Map(indexFiles.map((f) => [f, fs.readFileSync(f)]));
    assert.ok([...originals.values()].some((b) => b.length > 0), 'some index has entries');
    indexFiles.forEach((f, i) => {
      if (i % 3 === 0) fs.writeFileSync(f, Buffer.from('not an index at all!'));
      else fs.rmSync(f);
    });
    const { logger, entries } = recordingLogger();
    const log = await PartitionLog.open(dir, CONFIG, { logger });
    assert.ok(entries.some((e) => e.msg === 'rebuilt segment indexes'));
    assert.equal(log.highWatermark, batches.at(-1)!.lastOffset + 1);
    assert.deepEqual((await readAll(log)).map((b) => b.tag), batches.map((b) => b.tag));
    for (const b of batches) {
      const got = splitBatches((await log.read(b.lastOffset, 1)).data);
      assert.equal(got[0].tag, b.tag);
    }
    assert.equal(await log.offsetForTimestamp(1010), batches[10].baseOffset);
    await log.close();
    for (const [f, original] of originals) assert.deepEqual(fs.readFileSync(f), original, path.basename(f));
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('a closed segment whose time index lags its log is reindexed (max timestamp stays exact)', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'eddy-recovery-'));
  try {
    const dir = path.join(root, 'p');
    const log0 = await PartitionLog.open(dir, CONFIG);
    // The newest record of the first segment sits in its middle (timestamp 5000).
    for (let i = 0; i < 40; i++) await log0.append(makeBatch({ payloadBytes: 100, maxTimestamp: i === 5 ? 5000 : i < 18 ? 1000 + i : 9000 + i }));
    await log0.close();
    const first = files(dir, '.timeindex')[0];
    const original = fs.readFileSync(first);
    assert.ok(original.length >= 24);
    fs.writeFileSync(first, original.subarray(0, 12)); // a time index that stopped early (power loss)
    const log = await PartitionLog.open(dir, { ...CONFIG, retentionMs: 1000 }, { logger: recordingLogger().logger });
    try {
      const secondBase = Number(path.basename(files(dir, '.log')[1], '.log'));
      assert.equal(await log.offsetForTimestamp(4000), 5);
      assert.equal((await log.enforceRetention(5000 + 1000)).deletedSegments, 0);
      assert.equal((await log.enforceRetention(5000 + 1001)).deletedSegments, 1);
      assert.equal(log.logStartOffset, secondBase);
    } finally {
      await log.close();
    }
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('an empty tail segment (interrupted roll) becomes the active segment', async () => {
  const { root, dir, batches } = await buildLog(20);
  try {
    const hw = batches.at(-1)!.lastOffset + 1;
    const segments = files(dir, '.log').length;
    fs.writeFileSync(path.join(dir, segmentFileName(hw, '.log')), Buffer.alloc(0));
    const log = await PartitionLog.open(dir, CONFIG, { logger: recordingLogger().logger });
    try {
      assert.equal(log.highWatermark, hw);
      assert.equal(log.segmentCount, segments + 1);
      assert.deepEqual(await log.append(makeBatch({ tag: 500 })), { baseOffset: hw, lastOffset: hw });
      assert.equal(log.segmentCount, segments + 1, 'appended into the empty segment');
      assert.deepEqual((await readAll(log)).map((b) => b.tag), [...batches.map((b) => b.tag), 500]);
      assert.ok(fs.existsSync(path.join(dir, segmentFileName(hw, '.index'))));
    } finally {
      await log.close();
    }
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('an empty tail segment that overlaps the previous one is dropped; stray index files are removed', async () => {
  const { root, dir, batches } = await buildLog(20);
  try {
    const hw = batches.at(-1)!.lastOffset + 1;
    fs.writeFileSync(path.join(dir, segmentFileName(hw - 1, '.log')), Buffer.alloc(0));
    fs.writeFileSync(path.join(dir, segmentFileName(123456, '.index')), Buffer.alloc(8));
    const log = await PartitionLog.open(dir, CONFIG, { logger: recordingLogger().logger });
    try {
      assert.equal(log.highWatermark, hw);
      assert.equal(fs.existsSync(path.join(dir, segmentFileName(hw - 1, '.log'))), false);
      assert.equal(fs.existsSync(path.join(dir, segmentFileName(123456, '.index'))), false);
      assert.deepEqual(await log.append(makeBatch()), { baseOffset: hw, lastOffset: hw });
      assert.deepEqual((await readAll(log)).length, batches.length + 1);
    } finally {
      await log.close();
    }
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('an empty folder and an empty only-segment open at offset 0', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'eddy-recovery-'));
  try {
    const dir = path.join(root, 'p');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, segmentFileName(0, '.log')), Buffer.from([0, 0, 0])); // torn first header
    const log = await PartitionLog.open(dir, { flush: 'fsync' }, { logger: recordingLogger().logger });
    assert.equal(log.highWatermark, 0);
    assert.equal(log.logStartOffset, 0);
    assert.deepEqual(await log.append(makeBatch({ records: 2 })), { baseOffset: 0, lastOffset: 1 });
    await log.close();
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});
