// Metadata writes that fail (a full disk) must leave no trace: no phantom topic in memory, on
// disk or in listings, a StorageError to the client, and a retry that succeeds once space is back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCode } from '@eddy/protocol';
import { startBroker } from '../src/mod.ts';
import { RawClient, topicSpec } from './raw_client.ts';
import { mountTmpfs } from './support/tmpfs.ts';

test('a CreateTopic whose metadata write fails leaves no trace; the retry after freeing space succeeds', async () => {
  const fs = mountTmpfs(8 * 1024 * 1024);
  const dataDir = join(fs.dir, 'data');
  let broker = await startBroker({ dataDir, port: 0, metricsPort: -1, logger: { level: 'silent' } });
  let client = await RawClient.connect(broker.port);
  try {
    assert.equal((await client.request('CreateTopic', { name: 'before', spec: topicSpec(), dryRun: false })).errorCode, ErrorCode.None);
    fs.fill();
    const failed = await client.request('CreateTopic', { name: 'ghost', spec: topicSpec({ partitions: 2 }), dryRun: false });
    assert.equal(failed.errorCode, ErrorCode.StorageError);
    assert.match(failed.errorMessage ?? '', /ENOSPC/);
    assert.ok(!(failed.errorMessage ?? '').includes('\n'));

    const listed = await client.request('ListTopics', { names: [] });
    assert.deepEqual(listed.topics.map((t) => t.name), ['before']);
    const onDisk = readFileSync(join(dataDir, 'metadata', 'topic.json'), 'utf8');
    assert.ok(!onDisk.includes('ghost'), 'the failed topic is not in the metadata file');
    assert.ok(existsSync(join(dataDir, 'spu-5001', 'before-0')), 'partition folders live where this test looks');
    assert.equal(existsSync(join(dataDir, 'spu-5001', 'ghost-0')), false);
    // The broker keeps serving: other requests still work on a full disk.
    assert.equal((await client.request('ListTopics', { names: ['before'] })).topics.length, 1);

    fs.free();
    const retry = await client.request('CreateTopic', { name: 'ghost', spec: topicSpec({ partitions: 2 }), dryRun: false });
    assert.equal(retry.errorCode, ErrorCode.None, retry.errorMessage ?? '');
    await client.close();
    await broker.close();

    broker = await startBroker({ dataDir, port: 0, metricsPort: -1, logger: { level: 'silent' } });
    client = await RawClient.connect(broker.port);
    const after = await client.request('ListTopics', { names: [] });
    assert.deepEqual(after.topics.map((t) => [t.name, t.spec.partitions]), [['before', 1], ['ghost', 2]]);
  } finally {
    await client.close();
    await broker.close();
    fs.close();
  }
});
