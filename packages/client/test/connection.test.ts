import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EddyError, ErrorCode, Eddy, addProfile } from '@eddy/client';
import { Connection, parseEndpoint } from '@eddy/client/internal';
import { launchBroker, type LaunchedBroker } from '../../broker/test/support/launcher.ts';

let cluster: LaunchedBroker;

before(async () => { cluster = await launchBroker(); });
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
  const local = await launchBroker();
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

test('request time limits: each request fails at its own limit, in order; late answers are dropped', async () => {
  // A proxy in front of the broker that can hold back the broker's answers.
  let hold = false;
  const held: { sock: net.Socket; data: Buffer }[] = [];
  const proxy = net.createServer((client) => {
    const upstream = net.connect(parseEndpoint(cluster.endpoint));
    client.on('data', (d) => upstream.write(d));
    upstream.on('data', (d) => { if (hold) held.push({ sock: client, data: d }); else client.write(d); });
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.on('error', () => {});
    upstream.on('error', () => {});
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const port = (proxy.address() as net.AddressInfo).port;
  const conn = await Connection.connect({ host: '127.0.0.1', port });
  try {
    hold = true;
    const order: string[] = [];
    const slow = conn.request('ListSpus', {}, { timeoutMs: 300 }).catch((e: Error) => { order.push('300'); throw e; });
    const fast = conn.request('ListSpus', {}, { timeoutMs: 60 }).catch((e: Error) => { order.push('60'); throw e; });
    await assert.rejects(fast, (e: unknown) => e instanceof EddyError && e.code === ErrorCode.Timeout && /ListSpus request to .* got no response within 60 ms/.test((e as Error).message));
    await assert.rejects(slow, (e: unknown) => e instanceof EddyError && e.code === ErrorCode.Timeout && /within 300 ms/.test((e as Error).message));
    assert.deepEqual(order, ['60', '300']);
    hold = false;
    for (const h of held.splice(0)) h.sock.write(h.data); // the late answers arrive and are dropped
    const res = await conn.request('ListSpus', {});
    assert.equal(res.errorCode, ErrorCode.None);
    assert.equal(conn.inFlight, 0);
  } finally {
    conn.close();
    proxy.close();
  }
});

test('Eddy.connect picks the endpoint: explicit, named profile, current profile, else the default', async () => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'eddy-home-'));
  const saved = process.env.EDDY_HOME;
  process.env.EDDY_HOME = home;
  try {
    // (Without a profile file the default is 127.0.0.1:9003: see profile.test.ts.)
    addProfile('test', cluster.endpoint);
    const viaCurrent = await Eddy.connect();
    assert.equal(viaCurrent.endpoint, cluster.endpoint);
    await viaCurrent.close();
    addProfile('elsewhere', '127.0.0.1:1');
    const viaName = await Eddy.connect({ profile: 'test' });
    assert.equal(viaName.endpoint, cluster.endpoint);
    await viaName.close();
    await assert.rejects(Eddy.connect({ profile: 'missing' }), /unknown profile 'missing' \(known: elsewhere, test\)/);
    const explicit = await Eddy.connect({ endpoint: cluster.endpoint, profile: 'elsewhere' });
    assert.equal(explicit.endpoint, cluster.endpoint);
    await explicit.close();
  } finally {
    if (saved === undefined) delete process.env.EDDY_HOME;
    else process.env.EDDY_HOME = saved;
    fs.rmSync(home, { recursive: true, force: true });
  }
});
