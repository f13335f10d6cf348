// Active/standby controllers on one etcd (issue 11): two broker processes with
// --metadata etcd://…; only the elected one serves; kill -9 of it hands over within a few seconds
// and no spec is lost.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ErrorCode } from '@eddy/protocol';
import { RawClient, topicSpec } from './raw_client.ts';
import { spawnBroker, type BrokerProcess } from './support/launcher.ts';
import { startEtcd } from './support/etcd_server.ts';

test('kill -9 of the active controller: the standby takes over within a few seconds, topics intact, and creates more', async () => {
  const etcd = await startEtcd();
  const dir = mkdtempSync(join(tmpdir(), 'eddy-failover-'));
  const metadata = ['--metadata', `etcd://${etcd.endpoint}/failover/`];
  const started: BrokerProcess[] = [];
  try {
    const a = await spawnBroker({ dataDir: join(dir, 'a'), args: metadata });
    started.push(a);
    const ca = await RawClient.connect(a.port);
    for (const name of ['before-1', 'before-2']) {
      assert.equal((await ca.request('CreateTopic', { name, spec: topicSpec({ partitions: 2 }), dryRun: false })).errorCode, ErrorCode.None);
    }
    await ca.close();

    const bLog = join(dir, 'b.log');
    let bUp = 0;
    const bStarting = spawnBroker({ dataDir: join(dir, 'b'), args: metadata, logFile: bLog }).then((b) => {
      bUp = Date.now();
      started.push(b);
      return b;
    });
    // The standby waits (says so in its log) and does not listen while the active one lives.
    const deadline = Date.now() + 20_000;
    while (!readFileSync(bLog, { encoding: 'utf8', flag: 'a+' }).includes('standby')) {
      assert.ok(Date.now() < deadline, 'the second broker never said it is a standby');
      await new Promise((r) => setTimeout(r, 50));
    }
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(bUp, 0, 'the standby must not serve while the active controller holds its lease');

    const killedAt = Date.now();
    await a.kill('SIGKILL');
    const b = await bStarting;
    const takeover = bUp - killedAt;
    // The lease TTL is 3 s; the rest is the standby noticing and starting its controller.
    assert.ok(takeover < 8000, `takeover took ${takeover} ms`);

    const cb = await RawClient.connect(b.port);
    const listed = await cb.request('ListTopics', { names: [] });
    assert.deepEqual(listed.topics.map((t) => [t.name, t.spec.partitions]).sort(), [['before-1', 2], ['before-2', 2]]);
    assert.equal((await cb.request('CreateTopic', { name: 'after', spec: topicSpec(), dryRun: false })).errorCode, ErrorCode.None);
    assert.equal((await cb.request('CreateTopic', { name: 'before-1', spec: topicSpec(), dryRun: false })).errorCode, ErrorCode.TopicAlreadyExists);
    assert.deepEqual((await cb.request('ListTopics', { names: [] })).topics.map((t) => t.name).sort(), ['after', 'before-1', 'before-2']);
    await cb.close();

    // A clean stop resigns at once: a new standby need not wait for the TTL.
    const cStarting = spawnBroker({ dataDir: join(dir, 'c'), args: metadata });
    await new Promise((r) => setTimeout(r, 1000));
    const stoppedAt = Date.now();
    assert.equal(await b.stop(), 0);
    const c = await cStarting;
    started.push(c);
    assert.ok(Date.now() - stoppedAt < 2500, `a clean hand-over took ${Date.now() - stoppedAt} ms`);
    const cc = await RawClient.connect(c.port);
    assert.deepEqual((await cc.request('ListTopics', { names: [] })).topics.map((t) => t.name).sort(), ['after', 'before-1', 'before-2']);
    await cc.close();
  } finally {
    for (const p of started) await p.kill('SIGKILL');
    await etcd.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
