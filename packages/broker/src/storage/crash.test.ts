import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PartitionLog } from './partition_log.ts';
import { splitBatches } from '../../test/support/test_batches.ts';

const CHILD = path.join(import.meta.dirname, '../../test/support/storage_crash_child.ts');

interface Ack {
  tag: number;
  baseOffset: number;
  lastOffset: number;
}

/** Runs the child until it has acknowledged `count` appends, then kill -9's it. */
async function runAndKill(dir: string, firstTag: number, count: number): Promise<Ack[]> {
  const child = spawn(process.execPath, [CHILD, dir, String(firstTag)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let text = '';
  let lines = 0;
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    text += chunk;
    for (const ch of chunk) if (ch === '\n') lines++;
    if (lines >= count && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('close', (c, s) => resolve([c, s])));
  assert.equal(signal, 'SIGKILL', `child exited by itself (code ${code})`);
  const complete = text.slice(0, text.lastIndexOf('\n') + 1); // a torn last line was not fully acked
  return complete
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => {
      const [tag, baseOffset, lastOffset] = l.split(' ').map(Number);
      return { tag, baseOffset, lastOffset };
    });
}

async function verify(dir: string, acks: Ack[]): Promise<number> {
  const log = await PartitionLog.open(dir, { flush: 'os', segmentBytes: 64 * 1024, indexIntervalBytes: 1024 });
  try {
    const maxAcked = Math.max(...acks.map((a) => a.lastOffset));
    assert.ok(log.highWatermark > maxAcked, `hw ${log.highWatermark} lost acked offset ${maxAcked}`);
    for (const a of acks) {
      const [batch] = splitBatches((await log.read(a.lastOffset, 1)).data);
      assert.deepEqual([batch.tag, batch.baseOffset, batch.lastOffset], [a.tag, a.baseOffset, a.lastOffset]);
    }
    // Everything below the high watermark is whole, contiguous batches.
    let offset = 0;
    let tag = -1;
    while (offset < log.highWatermark) {
      const r = await log.read(offset, 256 * 1024);
      for (const b of splitBatches(r.data)) {
        assert.equal(b.baseOffset, offset);
        assert.ok(b.tag > tag, 'tags increase');
        tag = b.tag;
        offset = b.lastOffset + 1;
      }
    }
    return tag + 1;
  } finally {
    await log.close();
  }
}

test('kill -9 during appends (flush os): every acknowledged append survives', { timeout: 60_000 }, async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'eddy-crash-'));
  const dir = path.join(root, 'p');
  try {
    const first = await runAndKill(dir, 0, 1500);
    assert.ok(first.length >= 1500);
    const nextTag = await verify(dir, first);
    // Crash again on the recovered log, appending after what survived.
    const second = await runAndKill(dir, nextTag, 1500);
    await verify(dir, [...first, ...second]);
    assert.ok(fs.readdirSync(dir).filter((f) => f.endsWith('.log')).length > 3, 'segments rolled during the run');
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});
