import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalMetadataStore } from './local_metadata_store.ts';
import type { MetadataEvent } from './metadata_store.ts';
import { EddyError, ErrorCode } from '@eddy/protocol';
import { mountTmpfs } from '../../test/support/tmpfs.ts';

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'eddy-meta-'));
}

test('put, get, list, delete and watch; state survives reopening', async () => {
  const dir = tempDir();
  try {
    const store = await LocalMetadataStore.open(dir);
    const events: MetadataEvent[] = [];
    const topicEvents: string[] = [];
    const unwatch = store.watch((e) => events.push(e));
    store.watch((e) => topicEvents.push(`${e.op}:${e.name}`), ['topic']);
    await store.put({ kind: 'topic', name: 'a', spec: { partitions: 1 }, status: { resolution: 'Provisioned' } });
    await store.put({ kind: 'topic', name: 'b', spec: { partitions: 2 }, status: {} });
    await store.put({ kind: 'spu', name: '5001', spec: { id: 5001 }, status: { resolution: 'Online' } });
    await store.put({ kind: 'topic', name: 'a', spec: { partitions: 3 }, status: {} });
    assert.deepEqual(store.get('topic', 'a')?.spec, { partitions: 3 });
    assert.equal(store.get('topic', 'zzz'), undefined);
    assert.deepEqual(store.list('topic').map((o) => o.name), ['a', 'b']);
    assert.equal(await store.delete('topic', 'b'), true);
    assert.equal(await store.delete('topic', 'b'), false);
    unwatch();
    await store.put({ kind: 'topic', name: 'c', spec: {}, status: {} });
    assert.deepEqual(events.map((e) => `${e.op}:${e.kind}:${e.name}`), ['upsert:topic:a', 'upsert:topic:b', 'upsert:spu:5001', 'upsert:topic:a', 'delete:topic:b']);
    assert.deepEqual(topicEvents, ['upsert:a', 'upsert:b', 'upsert:a', 'delete:b', 'upsert:c']);
    await store.close();
    await assert.rejects(store.put({ kind: 'topic', name: 'x', spec: {}, status: {} }), /closed/);

    const again = await LocalMetadataStore.open(dir);
    assert.deepEqual(again.list('topic').map((o) => [o.name, o.spec]), [['a', { partitions: 3 }], ['c', {}]]);
    assert.deepEqual(again.get('spu', '5001')?.status, { resolution: 'Online' });
    await again.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('concurrent puts all become durable; no temp files are left behind', async () => {
  const dir = tempDir();
  try {
    const store = await LocalMetadataStore.open(dir);
    await Promise.all(Array.from({ length: 200 }, (_, i) => store.put({ kind: 'topic', name: `t${i}`, spec: { i }, status: {} })));
    // Read the file directly: what a crash right now would leave.
    const onDisk = JSON.parse(readFileSync(join(dir, 'topic.json'), 'utf8')) as { name: string }[];
    assert.equal(onDisk.length, 200);
    assert.deepEqual(readdirSync(dir), ['topic.json']);
    await store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a temp file from a crash mid-write is ignored and removed; a corrupt file is a clear error', async () => {
  const dir = tempDir();
  try {
    const store = await LocalMetadataStore.open(dir);
    await store.put({ kind: 'topic', name: 'kept', spec: {}, status: {} });
    await store.close();
    writeFileSync(join(dir, '.topic.json.123.abcd.tmp'), '[{"kind":"topic","name":"half');
    const again = await LocalMetadataStore.open(dir);
    assert.deepEqual(again.list('topic').map((o) => o.name), ['kept']);
    assert.deepEqual(readdirSync(dir), ['topic.json']);
    await again.close();
    writeFileSync(join(dir, 'spu.json'), '{not json');
    await assert.rejects(LocalMetadataStore.open(dir), /spu\.json is not valid JSON/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a write that fails (full disk) is a StorageError and leaves no trace in memory or on disk', async () => {
  const fs = mountTmpfs(256 * 1024);
  try {
    const store = await LocalMetadataStore.open(fs.dir);
    await store.put({ kind: 'topic', name: 'kept', spec: {}, status: {} });
    const before = readFileSync(join(fs.dir, 'topic.json'), 'utf8');
    const events: string[] = [];
    store.watch((e) => events.push(`${e.op}:${e.name}`));
    fs.fill();
    const err = await store.put({ kind: 'topic', name: 'lost', spec: { big: 'x'.repeat(8192) }, status: {} }).then(() => null, (e: unknown) => e);
    assert.ok(err instanceof EddyError, `expected an EddyError, got ${String(err)}`);
    assert.equal(err.code, ErrorCode.StorageError);
    assert.match(err.message, /^could not save topic 'lost': ENOSPC/);
    assert.equal(store.get('topic', 'lost'), undefined);
    assert.deepEqual(store.list('topic').map((o) => o.name), ['kept']);
    assert.equal(readFileSync(join(fs.dir, 'topic.json'), 'utf8'), before);
    assert.deepEqual(readdirSync(fs.dir).filter((f) => f.endsWith('.tmp')), []);
    // A delete that fails keeps the object; a later change must not carry the failed one along.
    await assert.rejects(store.delete('topic', 'kept'), /could not save topic 'kept'/);
    assert.ok(store.get('topic', 'kept'));
    assert.deepEqual(events, []);
    fs.free();
    await store.put({ kind: 'topic', name: 'next', spec: {}, status: {} });
    assert.deepEqual(store.list('topic').map((o) => o.name), ['kept', 'next']);
    await store.close();
    const again = await LocalMetadataStore.open(fs.dir);
    assert.deepEqual(again.list('topic').map((o) => o.name), ['kept', 'next']);
    await again.close();
  } finally {
    fs.close();
  }
});
