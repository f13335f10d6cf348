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

interface LogLine { msg: string; limit?: number; morePartitions?: number; descriptorsPerPartition?: number; openClosedSegmentsCap?: number }

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
      assert.ok((capacity.openClosedSegmentsCap ?? 0) > 0, 'closed segments share a capped set of descriptors');
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

/** Low enough that a few dozen clients reach it. */
const TIGHT_LIMIT = 128;

test(`clients beyond what an open-file limit of ${TIGHT_LIMIT} allows are answered with BrokerUnavailable, not closed silently`, async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'eddy-fds-'));
  const logFile = join(dataDir, 'broker.log');
  const served: RawClient[] = [];
  const broker = await spawnBroker({ dataDir, logFile, wrap: ['prlimit', `--nofile=${TIGHT_LIMIT}:${TIGHT_LIMIT}`] });
  try {
    let refusal: { errorCode: number; errorMessage: string | null } | null = null;
    for (let i = 0; i < TIGHT_LIMIT && refusal === null; i++) {
      const client = await RawClient.connect(broker.port);
      // A silent close would reject this with "connection closed" and fail the test.
      const r = await client.request('ApiVersions', { clientVersion: 'test' });
      if (r.errorCode === ErrorCode.None) {
        served.push(client);
      } else {
        refusal = r;
        await client.closed; // the broker closes it after answering
      }
    }
    assert.ok(refusal !== null, `a client was refused before ${TIGHT_LIMIT} connections`);
    assert.equal(refusal.errorCode, ErrorCode.BrokerUnavailable);
    assert.match(refusal.errorMessage ?? '', new RegExp(`out of file descriptors \\(limit ${TIGHT_LIMIT}\\)`));
    assert.ok(served.length > 10, `${served.length} clients were served first`);

    // Served clients keep working; once one leaves, a new client is served again.
    const topics = await served[0].request('ListTopics', { names: [] });
    assert.equal(topics.errorCode, ErrorCode.None);
    await served.pop()!.close();
    let again: RawClient | null = null;
    for (let attempt = 0; attempt < 50 && again === null; attempt++) {
      const c = await RawClient.connect(broker.port);
      const r = await c.request('ApiVersions', { clientVersion: 'test' });
      if (r.errorCode === ErrorCode.None) again = c;
      else await c.closed.then(() => new Promise((res) => setTimeout(res, 20)));
    }
    assert.ok(again !== null, 'a client is served once another has closed');
    served.push(again);

    const lines = readFileSync(logFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as LogLine);
    assert.ok(lines.some((l) => l.msg.startsWith('refusing connections')), 'the refusal is logged');
  } finally {
    for (const c of served) await c.close();
    await broker.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
