// The same cases against both MetadataStore implementations: the local file store and etcd (a
// real etcd server on loopback). What differs is only how a write is made to fail.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EddyError, ErrorCode } from '@eddy/protocol';
import { LocalMetadataStore } from './local_metadata_store.ts';
import { EtcdMetadataStore } from './etcd_metadata_store.ts';
import type { MetadataEvent, MetadataObject, MetadataStore } from './metadata_store.ts';
import { mountTmpfs } from '../../test/support/tmpfs.ts';
import { startEtcd, type EtcdServer } from '../../test/support/etcd_server.ts';

interface Backend {
  /** A fresh, empty place to keep metadata; `open` may be called on it again (reopen). */
  place(): Promise<{ open(): Promise<MetadataStore>; dispose(): void }>;
  /** A place plus a put that fails there, then `heal` makes writes work again. */
  failing(): Promise<{ open(): Promise<MetadataStore>; failingPut(s: MetadataStore): Promise<void>; heal(): void; dispose(): void }>;
}

const local: Backend = {
  async place() {
    const dir = mkdtempSync(join(tmpdir(), 'eddy-meta-conf-'));
    return { open: () => LocalMetadataStore.open(dir), dispose: () => rmSync(dir, { recursive: true, force: true }) };
  },
  async failing() {
    const fs = mountTmpfs(256 * 1024);
    return {
      open: () => LocalMetadataStore.open(fs.dir),
      failingPut: async (s) => {
        fs.fill();
        await s.put({ kind: 'topic', name: 'lost', spec: { big: 'x'.repeat(8192) }, status: {} });
      },
      heal: () => fs.free(),
      dispose: () => fs.close(),
    };
  },
};

let etcd: EtcdServer | null = null;
let prefixes = 0;
const etcdBackend: Backend = {
  async place() {
    // Each case gets its own prefix in the one etcd server: an empty store of its own.
    const prefix = `/conf-${process.pid}-${++prefixes}/`;
    return { open: () => EtcdMetadataStore.open({ endpoints: [etcd!.endpoint], prefix }), dispose: () => {} };
  },
  async failing() {
    const p = await etcdBackend.place();
    return {
      ...p,
      // etcd refuses a request over its --max-request-bytes (1.5 MiB by default): nothing is stored.
      failingPut: (s) => s.put({ kind: 'topic', name: 'lost', spec: { big: 'x'.repeat(2 * 1024 * 1024) }, status: {} }),
      heal: () => {},
    };
  },
};

for (const [name, backend] of [['LocalMetadataStore', local], ['EtcdMetadataStore', etcdBackend]] as const) {
  describe(name, () => {
    if (backend === etcdBackend) {
      before(async () => { etcd = await startEtcd(); });
      after(async () => { await etcd?.stop(); });
    }

    test('put, get, list, delete and watch (all kinds, or some)', async () => {
      const place = await backend.place();
      const store = await place.open();
      try {
        const events: string[] = [];
        const topicEvents: string[] = [];
        const unwatch = store.watch((e) => events.push(`${e.op}:${e.kind}:${e.name}`));
        store.watch((e) => topicEvents.push(`${e.op}:${e.name}`), ['topic']);
        await store.put({ kind: 'topic', name: 'a', spec: { partitions: 1 }, status: { resolution: 'Provisioned' } });
        // Visible the moment put resolves, to reads and to listeners.
        assert.deepEqual(store.get('topic', 'a')?.status, { resolution: 'Provisioned' });
        assert.deepEqual(events, ['upsert:topic:a']);
        await store.put({ kind: 'topic', name: 'b', spec: { partitions: 2 }, status: {} });
        await store.put({ kind: 'spu', name: '5001', spec: { id: 5001 }, status: { resolution: 'Online' } });
        await store.put({ kind: 'topic', name: 'a', spec: { partitions: 3 }, status: {} });
        assert.deepEqual(store.get('topic', 'a'), { kind: 'topic', name: 'a', spec: { partitions: 3 }, status: {} });
        assert.equal(store.get('topic', 'zzz'), undefined);
        assert.deepEqual(store.list('nothing'), []);
        assert.deepEqual(store.list('topic').map((o) => o.name), ['a', 'b']);
        assert.equal(await store.delete('topic', 'b'), true);
        assert.equal(store.get('topic', 'b'), undefined);
        assert.equal(await store.delete('topic', 'b'), false);
        unwatch();
        await store.put({ kind: 'topic', name: 'c', spec: {}, status: {} });
        assert.deepEqual(events, ['upsert:topic:a', 'upsert:topic:b', 'upsert:spu:5001', 'upsert:topic:a', 'delete:topic:b']);
        assert.deepEqual(topicEvents, ['upsert:a', 'upsert:b', 'upsert:a', 'delete:b', 'upsert:c']);
      } finally {
        await store.close();
        place.dispose();
      }
    });

    test('a delete event carries the removed object; concurrent puts to one name all land, the last one wins', async () => {
      const place = await backend.place();
      const store = await place.open();
      try {
        const deleted: MetadataEvent[] = [];
        store.watch((e) => { if (e.op === 'delete') deleted.push(e); });
        await Promise.all(Array.from({ length: 20 }, (_, i) => store.put({ kind: 'spu', name: 'x', spec: { i }, status: {} })));
        assert.deepEqual(store.get('spu', 'x')?.spec, { i: 19 });
        await Promise.all(Array.from({ length: 50 }, (_, i) => store.put({ kind: 'topic', name: `t${i}`, spec: { i }, status: {} })));
        assert.equal(store.list('topic').length, 50);
        assert.equal(await store.delete('spu', 'x'), true);
        assert.deepEqual(deleted.map((e) => [e.name, e.object.spec]), [['x', { i: 19 }]]);
      } finally {
        await store.close();
        place.dispose();
      }
    });

    test('state survives closing and reopening; a closed store refuses writes', async () => {
      const place = await backend.place();
      const store = await place.open();
      try {
        await store.put({ kind: 'topic', name: 'a', spec: { partitions: 3 }, status: { resolution: 'Provisioned' } });
        await store.put({ kind: 'topic', name: 'gone', spec: {}, status: {} });
        await store.put({ kind: 'smartmodule', name: 'me/filter@1.0.0', spec: { kind: 'filter' }, status: {} });
        await store.delete('topic', 'gone');
      } finally {
        await store.close();
      }
      await assert.rejects(store.put({ kind: 'topic', name: 'x', spec: {}, status: {} }), /closed/);
      const again = await place.open();
      try {
        const expected: MetadataObject[] = [{ kind: 'topic', name: 'a', spec: { partitions: 3 }, status: { resolution: 'Provisioned' } }];
        assert.deepEqual(again.list('topic'), expected);
        assert.deepEqual(again.get('smartmodule', 'me/filter@1.0.0')?.spec, { kind: 'filter' });
      } finally {
        await again.close();
        place.dispose();
      }
    });

    test('a write that fails is a StorageError and leaves no trace; later writes work', async () => {
      const place = await backend.failing();
      const store = await place.open();
      try {
        await store.put({ kind: 'topic', name: 'kept', spec: {}, status: {} });
        const events: string[] = [];
        store.watch((e) => events.push(`${e.op}:${e.name}`));
        const err = await place.failingPut(store).then(() => null, (e: unknown) => e);
        assert.ok(err instanceof EddyError, `expected an EddyError, got ${String(err)}`);
        assert.equal(err.code, ErrorCode.StorageError);
        assert.match(err.message, /^could not save topic 'lost'/);
        assert.equal(store.get('topic', 'lost'), undefined);
        assert.deepEqual(store.list('topic').map((o) => o.name), ['kept']);
        assert.deepEqual(events, []);
        place.heal();
        await store.put({ kind: 'topic', name: 'next', spec: {}, status: {} });
        assert.deepEqual(store.list('topic').map((o) => o.name), ['kept', 'next']);
        assert.deepEqual(events, ['upsert:next']);
      } finally {
        await store.close();
      }
      const again = await place.open();
      try {
        assert.deepEqual(again.list('topic').map((o) => o.name), ['kept', 'next']);
      } finally {
        await again.close();
        place.dispose();
      }
    });
  });
}
