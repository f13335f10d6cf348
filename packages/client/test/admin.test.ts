import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Eddy, EddyError, ErrorCode, Offset, type MetadataChange } from '@eddy/client';
import { launchBroker, type LaunchedBroker } from '../../broker/test/support/launcher.ts';

let cluster: LaunchedBroker;
let eddy: Eddy;

before(async () => {
  cluster = await launchBroker();
  eddy = await Eddy.connect({ endpoint: cluster.endpoint });
});
after(async () => {
  await eddy?.close();
  await cluster?.close();
});

const code = (c: number) => (e: unknown) => e instanceof EddyError && e.code === c && !e.retriable;

// The smallest module exporting `filter(ptr, len, version) -> i32` (returns 0).
const FILTER_WASM = Buffer.from([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  0x01, 0x08, 0x01, 0x60, 0x03, 0x7f, 0x7f, 0x7f, 0x01, 0x7f,
  0x03, 0x02, 0x01, 0x00,
  0x07, 0x0a, 0x01, 0x06, 0x66, 0x69, 0x6c, 0x74, 0x65, 0x72, 0x00, 0x00,
  0x0a, 0x06, 0x01, 0x04, 0x00, 0x41, 0x00, 0x0b,
]);

test('topics: create (dry run first), list, describe, partitions, offsets, delete', async () => {
  const admin = eddy.admin();
  await admin.createTopic('orders', { partitions: 2, retentionMs: 3_600_000 }, true);
  await assert.rejects(admin.listTopics(['orders']), code(ErrorCode.UnknownTopic), 'a dry run creates nothing');
  await admin.createTopic('orders', { partitions: 2, retentionMs: 3_600_000 });
  await assert.rejects(admin.createTopic('orders'), code(ErrorCode.TopicAlreadyExists));
  await assert.rejects(admin.createTopic('Bad_Name'), code(ErrorCode.InvalidTopicName));

  const t = await admin.describeTopic('orders');
  assert.equal(t.name, 'orders');
  assert.equal(t.spec.partitions, 2);
  assert.equal(t.spec.retentionMs, 3_600_000);
  assert.ok(t.spec.segmentBytes > 0, 'unset fields take the broker defaults');
  assert.equal(t.status.partitions.length, 2);
  assert.ok((await admin.listTopics()).some((x) => x.name === 'orders'));

  const producer = await eddy.producer('orders');
  await producer.sendBatch([{ value: 'a', partition: 1 }, { value: 'b', partition: 1 }]);
  await producer.close();
  const parts = await admin.listPartitions('orders');
  assert.deepEqual(parts.map((p) => [p.topic, p.status.partition, p.status.highWatermark]), [['orders', 0, 0], ['orders', 1, 2]]);
  assert.deepEqual((await admin.listOffsets('orders')).map((o) => [o.partition, o.logStartOffset, o.highWatermark]), [[0, 0, 0], [1, 0, 2]]);
  assert.deepEqual((await admin.listOffsets('orders', [1])).map((o) => o.partition), [1]);

  assert.deepEqual([t.spec.partitions, t.spec.replicationFactor], [2, 1]);
  assert.deepEqual(parts.map((p) => p.status.status), ['Online', 'Online']);

  await admin.deleteTopic('orders');
  await assert.rejects(admin.describeTopic('orders'), code(ErrorCode.UnknownTopic));
  await assert.rejects(admin.deleteTopic('orders'), code(ErrorCode.UnknownTopic));
});

test('SPUs are listed with their endpoint and status', async () => {
  const spus = await eddy.admin().listSpus();
  assert.equal(spus.length, 1);
  assert.equal(spus[0].status.resolution, 'Online');
  assert.equal(spus[0].spec.port, cluster.port);
  assert.equal(spus[0].spec.host, '127.0.0.1');
});

test('SmartModules: create, list, delete; invalid wasm is refused', async () => {
  const admin = eddy.admin();
  await admin.createSmartModule('keep-all', FILTER_WASM, { version: '1.2.3', description: 'keeps nothing, really' });
  const [m] = await admin.listSmartModules(['keep-all']);
  assert.equal(m.name, 'keep-all');
  assert.equal(m.spec.version, '1.2.3');
  assert.deepEqual(m.spec.exports, ['filter']);
  assert.equal(m.spec.sizeBytes, FILTER_WASM.length);
  await assert.rejects(admin.createSmartModule('keep-all', FILTER_WASM, { version: '1.2.3' }), code(ErrorCode.SmartModuleExists));
  // Another version of the same name coexists; deleting the bare name removes every version.
  await admin.createSmartModule('keep-all', FILTER_WASM, { version: '2.0.0' });
  assert.deepEqual((await admin.listSmartModules()).filter((x) => x.name === 'keep-all').map((x) => x.spec.version).sort(), ['1.2.3', '2.0.0']);
  await assert.rejects(admin.createSmartModule('junk', Buffer.from('not wasm')), code(ErrorCode.SmartModuleInvalid));
  await admin.deleteSmartModule('keep-all');
  await assert.rejects(admin.listSmartModules(['keep-all']), code(ErrorCode.SmartModuleNotFound));
  assert.ok(!(await admin.listSmartModules()).some((x) => x.name === 'keep-all'));
  await assert.rejects(admin.deleteSmartModule('keep-all'), code(ErrorCode.SmartModuleNotFound));
});

test('watch: a snapshot, then changes as they happen, until aborted', async () => {
  const admin = eddy.admin();
  await admin.createTopic('watched-a', {});
  const ctrl = new AbortController();
  const seen: MetadataChange[] = [];
  let deleting = false;
  const watching = (async () => {
    for await (const c of admin.watch(['topic'], ctrl.signal)) {
      seen.push(c);
      if (c.op === 'sync' && c.name === 'watched-a') await admin.createTopic('watched-b', {});
      if (c.op === 'upsert' && c.name === 'watched-b' && !deleting) { deleting = true; await admin.deleteTopic('watched-b'); }
      if (c.op === 'delete' && c.name === 'watched-b') ctrl.abort();
    }
  })();
  await watching;
  assert.ok(seen.some((c) => c.op === 'sync' && c.kind === 'topic' && c.name === 'watched-a' && c.topic?.spec.partitions === 1));
  assert.ok(seen.some((c) => c.op === 'upsert' && c.name === 'watched-b'));
  assert.ok(seen.some((c) => c.op === 'delete' && c.name === 'watched-b'));
  assert.ok(seen.every((c) => c.kind === 'topic'));
});

test('named consumers are listed and deleted', async () => {
  const admin = eddy.admin();
  await admin.createTopic('tracked', {});
  const producer = await eddy.producer('tracked');
  await producer.sendBatch([{ value: 'x' }, { value: 'y' }, { value: 'z' }]);
  await producer.close();
  const c = eddy.consumer('tracked', { consumerName: 'tracker' });
  for await (const r of c.stream(Offset.beginning(), { stopAtEnd: true })) void r;
  await c.close();
  const listed = (await admin.listConsumers()).filter((x) => x.consumer === 'tracker');
  assert.deepEqual(listed.map((x) => [x.topic, x.partition, x.offset]), [['tracked', 0, 3]]);
  assert.ok(listed[0].modifiedMs > 0, 'last seen is recorded');
  await admin.deleteConsumer('tracker');
  assert.deepEqual((await admin.listConsumers()).filter((x) => x.consumer === 'tracker'), []);
});
