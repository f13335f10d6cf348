import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PartitionLog } from './partition_log.ts';
import type { StorageLogger } from './logger.ts';
import { describeLost, lostRanges } from './damage.ts';
import { makeBatch } from '../../test/support/test_batches.ts';

test('lostRanges finds the gaps between segments; describeLost names them in one line', () => {
  assert.deepEqual(lostRanges([]), []);
  assert.deepEqual(lostRanges([{ baseOffset: 0, committedNextOffset: 10 }, { baseOffset: 10, committedNextOffset: 20 }]), []);
  const ranges = lostRanges([
    { baseOffset: 0, committedNextOffset: 7 }, { baseOffset: 10, committedNextOffset: 20 }, { baseOffset: 21, committedNextOffset: 30 },
  ]);
  assert.deepEqual(ranges, [{ from: 7, to: 10 }, { from: 20, to: 21 }]);
  assert.equal(describeLost(ranges), 'offsets 7-9, 20 lost (damaged segments)');
  assert.equal(describeLost([]), '');
});

test('a closed segment cut mid-batch: the log reports the lost offsets across reopen, and logs an error', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'eddy-damage-'));
  try {
    const config = { flush: 'os' as const, segmentBytes: 1000, indexIntervalBytes: 200 };
    let log = await PartitionLog.open(root, config);
    for (let i = 0; i < 40; i++) await log.append(makeBatch({ records: 2, payloadBytes: 100, tag: i }));
    assert.deepEqual(log.lostRanges, []);
    await log.close();
    const logs = fs.readdirSync(root).filter((f) => f.endsWith('.log')).sort();
    assert.ok(logs.length >= 3);
    const second = path.join(root, logs[1]);
    const secondBase = Number(logs[1].replace('.log', ''));
    const thirdBase = Number(logs[2].replace('.log', ''));
    fs.truncateSync(second, 161 + 80); // the second batch of the segment, cut in its records
    const errors: string[] = [];
    const logger: StorageLogger = { info() {}, warn() {}, error: (_o, msg) => void errors.push(msg) };
    log = await PartitionLog.open(root, config, { logger });
    assert.deepEqual(log.lostRanges, [{ from: secondBase + 2, to: thirdBase }]);
    assert.deepEqual(errors, ['offsets lost: a damaged segment ends before the next one starts']);
    // Reads across the gap land on the next segment's first batch.
    const r = await log.read(secondBase + 2, 4096);
    assert.equal(r.data.readBigInt64BE(0), BigInt(thirdBase));
    r.release();
    await log.close();
    log = await PartitionLog.open(root, config, { logger });
    assert.deepEqual(log.lostRanges, [{ from: secondBase + 2, to: thirdBase }], 'the damage is found again on every open');
    await log.close();
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});
