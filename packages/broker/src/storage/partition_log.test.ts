import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { PartitionLog } from './partition_log.ts';
import type { PartitionLogConfig } from './config.ts';
import { CorruptAppendError, LogClosedError, LogFailedError, StorageOffsetOutOfRangeError } from './errors.ts';
import { makeBatch, splitBatches, type BatchView } from '../../test/support/test_batches.ts';
import { BatchLayout } from '@eddy/protocol/internal';

const silent = { info() {}, warn() {}, error() {} };

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'eddy-plog-'));
}

async function withLog(config: PartitionLogConfig, fn: (log: PartitionLog, dir: string) => Promise<void>): Promise<void> {
  const root = tempDir();
  const dir = path.join(root, 'topic-0');
  const log = await PartitionLog.open(dir, config, { logger: silent });
  try {
    await fn(log, dir);
  } finally {
    await log.close();
    fs.rmSync(root, { recursive: true, force: true });
  }
}

/** Reads everything from `from` to the high watermark in `maxBytes` steps. */
async function readAll(log: PartitionLog, from: number, maxBytes: number): Promise<BatchView[]> {
  const out: BatchView[] = [];
  let offset = from;
  while (offset < log.highWatermark) {
    const r = await log.read(offset, maxBytes);
    const batches = splitBatches(r.data);
    assert.ok(batches.length >= 1, `read at ${offset} returned no batch`);
    assert.ok(batches[0].baseOffset <= offset && offset <= batches[0].lastOffset || batches[0].baseOffset > offset);
    assert.equal(r.nextOffset, batches[batches.length - 1].lastOffset + 1);
    if (batches.length > 1) assert.ok(r.data.length <= maxBytes, 'more than one batch returned beyond maxBytes');
    out.push(...batches);
    offset = r.nextOffset;
  }
  return out;
}

test('append/read round trip across segment rolls, with and without the tail cache, and after reopen', async () => {
  const spec = fc.array(
    fc.array(fc.record({ records: fc.integer({ min: 1, max: 20 }), payloadBytes: fc.integer({ min: 4, max: 700 }) }), {
      minLength: 1,
      maxLength: 4,
    }),
    { minLength: 1, maxLength: 60 },
  );
  await fc.assert(
    fc.asyncProperty(spec, fc.integer({ min: 1, max: 3000 }), fc.boolean(), async (appends, maxBytes, cache) => {
      const config: PartitionLogConfig = { flush: 'os', segmentBytes: 2048, indexIntervalBytes: 200, tailCacheBytes: cache ? 8192 : 0 };
      await withLog(config, async (log, dir) => {
        let tag = 0;
        const expected: Array<{ tag: number; records: number }> = [];
        const pending = appends.map((group) => {
          const bufs = group.map((b) => {
            expected.push({ tag, records: b.records });
            return makeBatch({ ...b, tag: tag++ });
          });
          return log.append(Buffer.concat(bufs));
        });
        const results = await Promise.all(pending);
        let next = 0;
        for (let i = 0; i < appends.length; i++) {
          const records = appends[i].reduce((n, b) => n + b.records, 0);
          assert.deepEqual(results[i], { baseOffset: next, lastOffset: next + records - 1 });
          next += records;
        }
        assert.equal(log.highWatermark, next);
        const check = (batches: BatchView[]): void => {
          assert.deepEqual(batches.map((b) => b.tag), expected.map((e) => e.tag));
          let off = 0;
          batches.forEach((b, i) => {
            assert.equal(b.baseOffset, off);
            assert.equal(b.lastOffset, off + expected[i].records - 1);
            off = b.lastOffset + 1;
          });
        };
        check(await readAll(log, 0, maxBytes));
        const segments = log.segmentCount;
        await log.close();
        const again = await PartitionLog.open(dir, config);
        try {
          assert.equal(again.highWatermark, next);
          assert.equal(again.segmentCount, segments);
          check(await readAll(again, 0, maxBytes));
        } finally {
          await again.close();
        }
      });
    }),
    { numRuns: 12 },
  );
});

test('several segments are created and every one is readable', async () => {
  await withLog({ flush: 'os', segmentBytes: 1000, indexIntervalBytes: 128 }, async (log) => {
    for (let i = 0; i < 40; i++) await log.append(makeBatch({ records: 2, payloadBytes: 150, tag: i }));
    assert.ok(log.segmentCount >= 8, `expected many segments, got ${log.segmentCount}`);
    const all = await readAll(log, 0, 10_000);
    assert.deepEqual(all.map((b) => b.tag), Array.from({ length: 40 }, (_, i) => i));
  });
});

test('multiple batches in one append get contiguous offsets', async () => {
  await withLog({ flush: 'os' }, async (log) => {
    await log.append(makeBatch({ records: 4, baseOffset: 999 }));
    const r = await log.append(Buffer.concat([makeBatch({ records: 2, tag: 1 }), makeBatch({ records: 5, tag: 2 }), makeBatch({ records: 1, tag: 3 })]));
    assert.deepEqual(r, { baseOffset: 4, lastOffset: 11 });
    const batches = splitBatches((await log.read(4, 1 << 20)).data);
    assert.deepEqual(
      batches.map((b) => [b.baseOffset, b.lastOffset, b.tag]),
      [
        [4, 5, 1],
        [6, 10, 2],
        [11, 11, 3],
      ],
    );
    assert.equal(log.highWatermark, 12);
  });
});

test('reading from the middle of a batch returns that whole batch', async () => {
  await withLog({ flush: 'os', indexIntervalBytes: 64 }, async (log) => {
    for (let i = 0; i < 10; i++) await log.append(makeBatch({ records: 7, tag: i, payloadBytes: 90 }));
    for (let offset = 0; offset < 70; offset++) {
      const r = await log.read(offset, 1);
      const [b, ...rest] = splitBatches(r.data);
      assert.equal(rest.length, 0, 'maxBytes=1 still returns exactly one whole batch');
      assert.equal(b.tag, Math.floor(offset / 7));
      assert.ok(b.baseOffset <= offset && offset <= b.lastOffset);
      assert.equal(r.nextOffset, b.lastOffset + 1);
    }
  });
});

test('read bounds: empty at the high watermark, StorageOffsetOutOfRangeError outside the log', async () => {
  await withLog({ flush: 'os' }, async (log) => {
    const empty = await log.read(0, 100);
    assert.equal(empty.data.length, 0);
    assert.equal(empty.nextOffset, 0);
    await assert.rejects(log.read(2, 100), { message: 'offset 2 is out of range: the log is empty (next offset 0)' });
    await log.append(makeBatch({ records: 3 }));
    const atHw = await log.read(3, 100);
    assert.equal(atHw.data.length, 0);
    assert.equal(atHw.nextOffset, 3);
    await assert.rejects(log.read(4, 100), (err: unknown) => {
      assert.ok(err instanceof StorageOffsetOutOfRangeError);
      assert.equal(err.highWatermark, 3);
      assert.equal(err.logStartOffset, 0);
      assert.equal(err.message, 'offset 4 is out of range: the log holds offsets 0 to 2 (next offset 3)');
      return true;
    });
    await assert.rejects(log.read(-1, 100), StorageOffsetOutOfRangeError);
  });
});

test('a batch larger than segmentBytes and the tail cache gets a segment of its own', async () => {
  await withLog({ flush: 'os', segmentBytes: 1024, tailCacheBytes: 1024 }, async (log) => {
    await log.append(makeBatch({ payloadBytes: 100, tag: 1 }));
    const big = makeBatch({ payloadBytes: 5000, tag: 2, records: 3 });
    const r = await log.append(big);
    assert.deepEqual(r, { baseOffset: 1, lastOffset: 3 });
    await log.append(makeBatch({ payloadBytes: 100, tag: 3 }));
    assert.equal(log.segmentCount, 3);
    const got = splitBatches((await log.read(2, 10)).data);
    assert.deepEqual(got.map((b) => [b.tag, b.size]), [[2, big.length]]);
    assert.deepEqual((await readAll(log, 0, 100_000)).map((b) => b.tag), [1, 2, 3]);
  });
});

test('one append of many batches rolls between them so no segment exceeds segmentBytes', async () => {
  for (const tailCacheBytes of [0, 8192]) {
    const config: PartitionLogConfig = { flush: 'os', segmentBytes: 2048, indexIntervalBytes: 200, tailCacheBytes };
    await withLog(config, async (log, dir) => {
      await log.append(makeBatch({ payloadBytes: 300, tag: 0 }));
      // 23 batches of ~500 bytes in one append (one produce request), then one larger than a segment among small ones.
      const many = Array.from({ length: 23 }, (_, i) => makeBatch({ records: 2, payloadBytes: 440, tag: 1 + i }));
      const r = await log.append(Buffer.concat(many));
      assert.deepEqual(r, { baseOffset: 1, lastOffset: 46 });
      const big = makeBatch({ payloadBytes: 5000, tag: 24 });
      const r2 = await log.append(Buffer.concat([makeBatch({ payloadBytes: 100, tag: 25 }), big, makeBatch({ payloadBytes: 100, tag: 26 })]));
      assert.deepEqual(r2, { baseOffset: 47, lastOffset: 49 });
      const sizes = fs.readdirSync(dir).filter((f) => f.endsWith('.log')).sort().map((f) => fs.statSync(path.join(dir, f)).size);
      assert.equal(sizes.length, 9, `expected a roll every 4 batches of ~500 bytes, got segments of ${sizes.join(', ')} bytes`);
      for (const size of sizes) assert.ok(size <= 2048 || size === big.length, `a segment of ${size} bytes exceeds segmentBytes 2048 (${sizes.join(', ')})`);
      assert.ok(sizes.includes(big.length), 'the oversized batch went into a segment whole, alone');
      const want = [0, ...many.map((_, i) => 1 + i), 25, 24, 26];
      assert.deepEqual((await readAll(log, 0, 100_000)).map((b) => b.tag), want);
      assert.deepEqual((await readAll(log, 0, 1)).map((b) => b.tag), want);
      await log.close();
      const again = await PartitionLog.open(dir, config, { logger: silent });
      try {
        assert.equal(again.segmentCount, sizes.length);
        assert.deepEqual((await readAll(again, 30, 3000)).map((b) => b.tag), want.slice(15));
      } finally {
        await again.close();
      }
    });
  }
});

for (const flush of ['os', 'fsync'] as const) {
  test(`200 concurrent appends get contiguous offsets in call order and share writes (flush=${flush})`, async () => {
    await withLog({ flush, segmentBytes: 8192 }, async (log) => {
      const sizes = Array.from({ length: 200 }, (_, i) => 1 + (i % 7));
      const results = await Promise.all(sizes.map((records, i) => log.append(makeBatch({ records, tag: i, payloadBytes: 20 + (i % 13) * 10 }))));
      let next = 0;
      results.forEach((r, i) => {
        assert.deepEqual(r, { baseOffset: next, lastOffset: next + sizes[i] - 1 });
        next += sizes[i];
      });
      assert.equal(log.highWatermark, next);
      const stats = log.writerStats;
      // One writev per segment per group: far fewer than one per append.
      assert.ok(stats.writeCalls <= log.segmentCount + 2, `writeCalls ${stats.writeCalls} for ${log.segmentCount} segments`);
      if (flush === 'fsync') assert.ok(stats.syncCalls <= log.segmentCount + 2, `syncCalls ${stats.syncCalls}`);
      else assert.equal(stats.syncCalls, 0);
      const all = await readAll(log, 0, 4096);
      assert.deepEqual(all.map((b) => b.tag), sizes.map((_, i) => i));
    });
  });
}

test('fsync group commit: appends that arrive during a sync share the next one', async () => {
  await withLog({ flush: 'fsync' }, async (log) => {
    const first = log.append(makeBatch({ tag: 0 }));
    await new Promise((resolve) => setImmediate(resolve)); // the writer is now writing or syncing
    const rest = Array.from({ length: 100 }, (_, i) => log.append(makeBatch({ tag: i + 1 })));
    await Promise.all([first, ...rest]);
    assert.equal(log.highWatermark, 101);
    assert.ok(log.writerStats.syncCalls <= 3, `syncCalls ${log.writerStats.syncCalls}`);
    assert.ok(log.writerStats.syncCalls >= 1);
  });
});

test('bad input is rejected with CorruptAppendError and nothing is written', async () => {
  await withLog({ flush: 'os' }, async (log) => {
    await log.append(makeBatch({ records: 2 }));
    const before = { hw: log.highWatermark, size: log.sizeBytes, end: log.logEndOffset };

    const badCrc = makeBatch({ tag: 5 });
    badCrc[badCrc.length - 1] ^= 0xff;
    const badMagic = makeBatch();
    badMagic.writeInt8(1, BatchLayout.magic);
    const crcField = makeBatch();
    crcField.writeUInt32BE((crcField.readUInt32BE(BatchLayout.crc) + 1) >>> 0, BatchLayout.crc);
    const good = makeBatch({ tag: 9 });
    const shortLen = makeBatch();
    shortLen.writeInt32BE(10, 8);
    const cases: Array<[string, Buffer, RegExp]> = [
      ['crc', badCrc, /^batch 0 at byte 0: crc mismatch/],
      ['crc field', crcField, /crc mismatch/],
      ['magic', badMagic, /^batch 0 at byte 0: bad magic 1 \(expected 2\)$/],
      ['truncated', good.subarray(0, good.length - 1), /truncated batch: batch_len/],
      ['truncated header', good.subarray(0, 20), /truncated batch header: 20 of 57 bytes/],
      ['second batch bad', Buffer.concat([good, badCrc]), /^batch 1 at byte \d+: crc mismatch/],
      ['trailing garbage', Buffer.concat([good, Buffer.from([1, 2, 3])]), /^batch 1 at byte \d+: truncated batch header/],
      ['empty', Buffer.alloc(0), /zero bytes/],
      ['batch_len too small', shortLen, /batch_len 10 is below the minimum 45/],
    ];
    for (const [name, buf, message] of cases) {
      await assert.rejects(log.append(buf), (err: unknown) => {
        assert.ok(err instanceof CorruptAppendError, name);
        assert.match(err.message, message, name);
        assert.ok(!err.message.includes('\n'), 'one-line message');
        return true;
      });
      assert.deepEqual({ hw: log.highWatermark, size: log.sizeBytes, end: log.logEndOffset }, before, name);
    }
    // The log still works and the next offset follows on.
    assert.deepEqual(await log.append(makeBatch({ tag: 42 })), { baseOffset: 2, lastOffset: 2 });
    assert.deepEqual((await readAll(log, 0, 1 << 20)).map((b) => b.tag), [0, 42]);
  });
});

test('onAppend reports the new high watermark; unsubscribe stops it', async () => {
  await withLog({ flush: 'os' }, async (log) => {
    const seen: number[] = [];
    const off = log.onAppend((hw) => seen.push(hw));
    await log.append(makeBatch({ records: 3 }));
    await log.append(makeBatch({ records: 2 }));
    assert.deepEqual(seen, [3, 5]);
    off();
    await log.append(makeBatch());
    assert.deepEqual(seen, [3, 5]);
  });
});

test('the high watermark never runs ahead of acknowledged appends', async () => {
  await withLog({ flush: 'fsync' }, async (log) => {
    const p = log.append(makeBatch({ records: 4 }));
    assert.equal(log.logEndOffset, 4);
    assert.equal(log.highWatermark, 0, 'not visible before the sync');
    assert.equal((await log.read(0, 100)).data.length, 0);
    await p;
    assert.equal(log.highWatermark, 4);
  });
});

test('offsetForTimestamp finds the first batch with max_timestamp >= ts', async () => {
  const spec = fc.array(fc.record({ records: fc.integer({ min: 1, max: 4 }), ts: fc.integer({ min: 0, max: 1000 }) }), { minLength: 1, maxLength: 80 });
  await fc.assert(
    fc.asyncProperty(spec, fc.array(fc.integer({ min: -5, max: 1010 }), { minLength: 1, maxLength: 20 }), async (batches, queries) => {
      const config: PartitionLogConfig = { flush: 'os', segmentBytes: 800, indexIntervalBytes: 150 };
      await withLog(config, async (log, dir) => {
        const model: Array<{ base: number; maxTs: number }> = [];
        for (const b of batches) {
          const r = await log.append(makeBatch({ records: b.records, firstTimestamp: b.ts, maxTimestamp: b.ts, payloadBytes: 40 }));
          model.push({ base: r.baseOffset, maxTs: b.ts });
        }
        const expect = (ts: number): number => model.find((m) => m.maxTs >= ts)?.base ?? log.highWatermark;
        for (const q of queries) assert.equal(await log.offsetForTimestamp(q), expect(q), `ts ${q}`);
        await log.close();
        const again = await PartitionLog.open(dir, config);
        try {
          for (const q of queries) assert.equal(await again.offsetForTimestamp(q), expect(q), `ts ${q} after reopen`);
        } finally {
          await again.close();
        }
      });
    }),
    { numRuns: 15 },
  );
});

test('closed log rejects appends and reads; close is idempotent; delete removes the folder', async () => {
  const root = tempDir();
  const dir = path.join(root, 'p');
  const log = await PartitionLog.open(dir, { flush: 'os' });
  const pending = log.append(makeBatch());
  await log.close();
  assert.deepEqual(await pending, { baseOffset: 0, lastOffset: 0 }, 'in-flight append completes before close');
  await log.close();
  await assert.rejects(log.append(makeBatch()), LogClosedError);
  await assert.rejects(log.read(0, 10), LogClosedError);
  const again = await PartitionLog.open(dir, { flush: 'os' });
  assert.equal(again.highWatermark, 1);
  await again.flush();
  await again.delete();
  assert.equal(fs.existsSync(dir), false);
  fs.rmSync(root, { recursive: true, force: true });
});

for (const tailCacheBytes of [0, 16 * 1024]) {
  test(`a consumer tailing via onAppend sees every batch exactly once, whole (tailCacheBytes=${tailCacheBytes})`, async () => {
    await withLog({ flush: 'os', segmentBytes: 6000, indexIntervalBytes: 300, tailCacheBytes }, async (log) => {
      const seen: number[] = [];
      let offset = 0;
      let reading = false;
      let wake: (() => void) | null = null;
      const pump = async (): Promise<void> => {
        if (reading) return;
        reading = true;
        try {
          while (offset < log.highWatermark) {
            const r = await log.read(offset, 700);
            for (const b of splitBatches(r.data)) {
              if (b.lastOffset < offset) continue;
              assert.equal(b.baseOffset, offset, 'no gap, no repeat');
              seen.push(b.tag);
              offset = b.lastOffset + 1;
            }
          }
        } finally {
          reading = false;
          wake?.();
        }
      };
      const off = log.onAppend(() => void pump());
      const total = 300;
      for (let i = 0; i < total; ) {
        const burst = Math.min(total - i, 1 + (i % 17));
        const pending = [];
        for (let k = 0; k < burst; k++, i++) pending.push(log.append(makeBatch({ tag: i, records: 1 + (i % 3), payloadBytes: 30 + ((i * 53) % 400) })));
        await Promise.all(pending);
      }
      while (offset < log.highWatermark || reading) {
        await new Promise<void>((resolve) => {
          wake = resolve;
          void pump();
        });
      }
      off();
      assert.deepEqual(seen, Array.from({ length: total }, (_, i) => i));
      const { cacheHits, diskReads } = log.readStats;
      if (tailCacheBytes === 0) assert.equal(cacheHits, 0);
      else assert.ok(cacheHits > diskReads, `tailing reads mostly from memory: ${cacheHits} cache, ${diskReads} disk`);
    });
  });
}

test('a failed write that cannot be undone stops appends with LogFailedError; committed data stays readable; reopen recovers', async () => {
  await withLog({ flush: 'os' }, async (log, dir) => {
    await log.append(makeBatch({ records: 2, tag: 1 }));
    // Fault injection: swap the active segment's fd for a read-only one so the next write fails,
    // and so does cutting the file back (a full disk is undone instead: disk_full.test.ts).
    const active = (log as unknown as { active: { fd: number; logPath: string } }).active;
    const writableFd = active.fd;
    active.fd = fs.openSync(active.logPath, 'r');
    const failing = log.append(makeBatch({ tag: 2 }));
    const queued = log.append(makeBatch({ tag: 3 }));
    await assert.rejects(failing, (err: unknown) => err instanceof LogFailedError && /must be reopened/.test(err.message));
    await assert.rejects(queued, LogFailedError);
    await assert.rejects(log.append(makeBatch({ tag: 4 })), LogFailedError);
    assert.equal(log.highWatermark, 2);
    assert.deepEqual((await readAll(log, 0, 1 << 20)).map((b) => b.tag), [1]);
    await log.close();
    fs.closeSync(writableFd);
    const again = await PartitionLog.open(dir, { flush: 'os' });
    try {
      assert.equal(again.highWatermark, 2);
      assert.deepEqual(await again.append(makeBatch({ tag: 5 })), { baseOffset: 2, lastOffset: 2 });
    } finally {
      await again.close();
    }
  });
});
