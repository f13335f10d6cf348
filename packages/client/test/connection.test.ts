import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { Connection, EddyError, ErrorCode, parseEndpoint, Eddy } from '@eddy/client';
import { startCluster, type TestCluster } from './broker_fixture.ts';

let cluster: TestCluster;

before(async () => { cluster = await startCluster(); });
after(async () => { await cluster?.close(); });

test('many pipelined requests on one socket each get their own answer', async () => {
  const conn = await Connection.connect(parseEndpoint(cluster.endpoint), { clientId: 'pipeline-test' });
  try {
    assert.notEqual(conn.serverVersion, '');
    const names = Array.from({ length: 40 }, (_, i) => `pipe-${i}`);
    await Promise.all(names.map((name, i) => conn.request('CreateTopic', {
      name,
      spec: { partitions: 1 + (i % 4), replicationFactor: 0, retentionMs: 0, retentionBytes: 0, segmentBytes: 0, maxRecordBytes: 0, compression: '', flush: '' },
      dryRun: false,
    })));
    // 40 requests in flight at once, written in one tick; answers matched by correlation id.
    const answers = await Promise.all(names.map((name) => conn.request('ListTopics', { names: [name] })));
    answers.forEach((res, i) => {
      assert.equal(res.topics.length, 1);
      assert.equal(res.topics[0].name, names[i]);
      assert.equal(res.topics[0].spec.partitions, 1 + (i % 4));
    });
    assert.equal(conn.inFlight, 0);
  } finally {
    conn.close();
  }
});

test('error codes in responses become typed EddyErrors', async () => {
  const eddy = await Eddy.connect({ endpoint: cluster.endpoint });
  try {
    await assert.rejects(eddy.admin().describeTopic('missing'), (e: unknown) => {
      assert.ok(e instanceof EddyError);
      assert.equal(e.code, ErrorCode.UnknownTopic);
      assert.equal(e.name, 'UnknownTopicError');
      assert.equal(e.retriable, false);
      return true;
    });
  } finally {
    await eddy.close();
  }
});

test('when the socket drops, open streams fail with a retriable BrokerUnavailable error', async () => {
  const local = await startCluster();
  const conn = await Connection.connect(parseEndpoint(local.endpoint));
  const failed = new Promise<Error>((resolve) => {
    conn.openStream('WatchMetadata', { kinds: [] }, { onResponse: () => {}, onError: resolve });
  });
  const closed = new Promise<EddyError>((resolve) => conn.onClose(resolve));
  await local.close();
  const err = await failed;
  assert.ok(err instanceof EddyError && err.retriable && err.code === ErrorCode.BrokerUnavailable, String(err));
  assert.equal(await closed, err);
  assert.ok(conn.closed);
  await assert.rejects(conn.request('ListSpus', {}), (e: unknown) => e === err);
});

test('a client-side close fails what is pending with a non-retriable error', async () => {
  const conn = await Connection.connect(parseEndpoint(cluster.endpoint));
  const pending = conn.request('ListSpus', {});
  conn.close();
  await assert.rejects(pending, (e: unknown) => e instanceof EddyError && e.code === ErrorCode.StreamClosed && !e.retriable);
});

test('connect timeout: an endpoint that accepts but never answers gives a retriable Timeout naming it', async () => {
  // Not a broker: a socket that swallows everything, so only the time limit can end the attempt.
  const silent = net.createServer(() => {});
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const port = (silent.address() as net.AddressInfo).port;
  try {
    await assert.rejects(Connection.connect({ host: '127.0.0.1', port }, { connectTimeoutMs: 150 }), (e: unknown) => {
      assert.ok(e instanceof EddyError && e.retriable && e.code === ErrorCode.Timeout, String(e));
      assert.match((e as Error).message, new RegExp(`127.0.0.1:${port} did not answer ApiVersions within 150 ms`));
      return true;
    });
  } finally {
    silent.close();
  }
});
