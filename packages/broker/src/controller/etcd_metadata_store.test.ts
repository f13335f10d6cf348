// EtcdMetadataStore beyond the conformance cases: two processes on one etcd see each other's
// changes, and the controller election fences a former active controller's writes.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { EddyError, ErrorCode } from '@eddy/protocol';
import { EtcdMetadataStore } from './etcd_metadata_store.ts';
import { campaignForLeadership } from './etcd_leader_election.ts';
import { parseMetadataLocation } from './metadata_location.ts';
import { startEtcd, type EtcdServer } from '../../test/support/etcd_server.ts';

const CHILD = new URL('../../test/support/etcd_store_child.ts', import.meta.url).pathname;

let etcd: EtcdServer;
before(async () => { etcd = await startEtcd(); });
after(async () => { await etcd.stop(); });

/** Resolves once `check` passes, or fails with its last error after `ms`. */
async function eventually(check: () => void, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    try { check(); return; } catch (err) { if (Date.now() > deadline) throw err; }
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('another process on the same etcd sees what this one stored, and this one sees its changes through watch', async () => {
  const prefix = '/two-proc/';
  const store = await EtcdMetadataStore.open({ endpoints: [etcd.endpoint], prefix });
  const events: string[] = [];
  store.watch((e) => events.push(`${e.op}:${e.kind}:${e.name}`));
  await store.put({ kind: 'topic', name: 'p1', spec: { partitions: 1 }, status: {} });
  // Keys under the prefix that are not objects (the election's, or foreign junk) are not objects.
  await store.client.put(`${prefix}.controller`).value('someone');
  await store.client.put(`${prefix}topic/junk`).value('{not json');

  const child = spawn(process.execPath, [CHILD, etcd.endpoint, prefix], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines: Record<string, unknown>[] = [];
  createInterface({ input: child.stdout! }).on('line', (l) => lines.push(JSON.parse(l) as Record<string, unknown>));
  const exited = new Promise<number | null>((r) => child.once('exit', r));
  try {
    await eventually(() => assert.ok(lines.some((l) => l.ready)), 20_000);
    assert.deepEqual(lines.find((l) => l.ready)?.topics, ['p1']);

    child.stdin!.write(`${JSON.stringify({ put: { kind: 'topic', name: 'c1', spec: { partitions: 2 }, status: { resolution: 'Provisioned' } } })}\n`);
    child.stdin!.write(`${JSON.stringify({ delete: ['topic', 'p1'] })}\n`);
    await eventually(() => assert.deepEqual(events, ['upsert:topic:p1', 'upsert:topic:c1', 'delete:topic:p1']));
    assert.deepEqual(store.list('topic'), [{ kind: 'topic', name: 'c1', spec: { partitions: 2 }, status: { resolution: 'Provisioned' } }]);

    await store.put({ kind: 'spu', name: '5001', spec: { id: 5001 }, status: {} });
    await eventually(() => assert.ok(lines.some((l) => l.event === 'upsert:spu:5001')));
    // This store compares with the revision the child's write left: an update goes through.
    await store.put({ kind: 'topic', name: 'c1', spec: { partitions: 3 }, status: {} });
    await eventually(() => assert.ok(lines.some((l) => l.event === 'upsert:topic:c1' && (l.spec as { partitions: number }).partitions === 3)));
    child.stdin!.write(`${JSON.stringify({ exit: true })}\n`);
    assert.equal(await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000, 'still running'))]), 0);
  } finally {
    child.kill('SIGKILL');
    await store.close();
  }
});

test('election: one holder at a time; a resigned holder is fenced out (NotLeader) and its write leaves no trace', async () => {
  const prefix = '/elect/';
  const a = await EtcdMetadataStore.open({ endpoints: [etcd.endpoint], prefix });
  const b = await EtcdMetadataStore.open({ endpoints: [etcd.endpoint], prefix });
  try {
    const key = `${prefix}.controller`;
    const la = await campaignForLeadership(a.client, { key, value: 'a', ttlSeconds: 2 });
    a.fence(la.fence);
    await a.put({ kind: 'topic', name: 'by-a', spec: {}, status: {} });

    const waitingFor: string[] = [];
    let bElected = false;
    const lbPromise = campaignForLeadership(b.client, { key, value: 'b', ttlSeconds: 2, onWaiting: (h) => waitingFor.push(h) });
    void lbPromise.then(() => { bElected = true; });
    await eventually(() => assert.deepEqual(waitingFor, ['a']));
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(bElected, false, 'b must wait while a holds the key');

    await la.resign();
    const lb = await lbPromise;
    b.fence(lb.fence);
    await b.sync(lb.fence.createRevision);
    assert.ok(b.get('topic', 'by-a'), 'the new holder sees what the old one stored');

    const events: string[] = [];
    a.watch((e) => events.push(`${e.op}:${e.name}`));
    const err = await a.put({ kind: 'topic', name: 'late', spec: {}, status: {} }).then(() => null, (e: unknown) => e);
    assert.ok(err instanceof EddyError && err.code === ErrorCode.NotLeader, `expected NotLeader, got ${String(err)}`);
    assert.equal(err.retriable, true);
    await assert.rejects(a.delete('topic', 'by-a'), /no longer the active one/);
    await b.put({ kind: 'topic', name: 'by-b', spec: {}, status: {} });
    await eventually(() => assert.deepEqual(events, ['upsert:by-b']));
    assert.equal(a.get('topic', 'late'), undefined);
    assert.deepEqual(b.list('topic').map((o) => o.name), ['by-a', 'by-b']);
    await lb.resign();
  } finally {
    await a.close();
    await b.close();
  }
});

test('--metadata locations: local, etcd endpoints with an optional prefix, and clear refusals', () => {
  assert.deepEqual(parseMetadataLocation('local'), { kind: 'local' });
  assert.deepEqual(parseMetadataLocation('etcd://127.0.0.1:2379'), { kind: 'etcd', endpoints: ['127.0.0.1:2379'], prefix: '/eddy/' });
  assert.deepEqual(parseMetadataLocation('etcd://a:1,b.example:2/team/x'), { kind: 'etcd', endpoints: ['a:1', 'b.example:2'], prefix: '/team/x/' });
  assert.throws(() => parseMetadataLocation('etcd://'), /'' in 'etcd:\/\/' is not HOST:PORT/);
  assert.throws(() => parseMetadataLocation('etcd://host'), /is not HOST:PORT/);
  assert.throws(() => parseMetadataLocation('etcd://h:0'), /is not HOST:PORT/);
  assert.throws(() => parseMetadataLocation('zk://h:1'), /must be 'local' or 'etcd:/);
});
