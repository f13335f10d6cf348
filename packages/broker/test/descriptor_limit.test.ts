// A broker restarted under a low open-file limit with many topics: it says at start how much room
// the limit leaves, and it still serves clients.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ErrorCode } from '@eddy/protocol';
import { spawnBroker } from './support/launcher.ts';
import { RawClient, batchOf, topicSpec } from './raw_client.ts';

const TOPICS = 80;
/** 80 partitions x 3 descriptors, plus what node and the broker hold, plus room for a few clients. */
const LIMIT = 400;

interface LogLine { msg: string; limit?: number; morePartitions?: number; descriptorsPerPartition?: number }

test(`a broker restarted under an open-file limit of ${LIMIT} with ${TOPICS} topics logs its capacity and serves clients`, async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'eddy-fds-'));
  try {
    const first = await spawnBroker({ dataDir });
    const admin = await RawClient.connect(first.port);
    for (let i = 0; i < TOPICS; i++) {
      const r = await admin.request('CreateTopic', { name: `t${i}`, spec: topicSpec(), dryRun: false });
      assert.equal(r.errorCode, ErrorCode.None, r.errorMessage ?? '');
    }
    await admin.close();
    assert.equal(await first.stop(), 0);

    const logFile = join(dataDir, 'broker.log');
    const broker = await spawnBroker({ dataDir, logFile, wrap: ['prlimit', `--nofile=${LIMIT}:${LIMIT}`] });
    try {
      const lines = readFileSync(logFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as LogLine);
      const capacity = lines.find((l) => l.msg.startsWith('open-file limit'));
      assert.ok(capacity, 'the broker logs its open-file capacity at start');
      assert.equal(capacity.limit, LIMIT);
      assert.equal(capacity.descriptorsPerPartition, 3);
      assert.ok((capacity.morePartitions ?? -1) >= 0, capacity.msg);
      const client = await RawClient.connect(broker.port);
      try {
        const topics = await client.request('ListTopics', { names: [] });
        assert.equal(topics.topics.length, TOPICS);
        const p = await client.request('Produce', { acks: 1, timeoutMs: 5000, smartmodules: [], topics: [{ name: `t${TOPICS - 1}`, partitions: [{ partition: 0, records: batchOf(['after restart']) }] }] });
        assert.equal(p.topics[0].partitions[0].errorCode, ErrorCode.None, p.topics[0].partitions[0].errorMessage ?? '');
      } finally {
        await client.close();
      }
    } finally {
      await broker.stop();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
