// Request frames larger than the read scratch come from the server's frame pool; a produce
// request's frame goes back only once its response is out (storage may hold views of it until
// then), and frames of other requests never go back (their decoded bodies may keep views).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { ApiKey, DEFAULT_SCRATCH_BYTES, ErrorCode } from '@eddy/protocol';
import { BufferPool } from '../src/storage/index.ts';
import { BrokerServer } from '../src/server/index.ts';
import type { ConnectionContext } from '../src/server/index.ts';
import { RawClient, batchOf } from './raw_client.ts';

/** Records frames taken and given (not connections' read scratches, which come from the pool too). */
class SpyPool extends BufferPool {
  taken: Buffer[] = [];
  given: Buffer[] = [];
  private scratches = new Set<ArrayBufferLike>();
  override take(size: number): Buffer {
    const b = super.take(size);
    if (size === DEFAULT_SCRATCH_BYTES) this.scratches.add(b.buffer);
    else this.taken.push(b);
    return b;
  }
  override give(buf: Buffer): void {
    if (!this.scratches.delete(buf.buffer)) this.given.push(buf);
    super.give(buf);
  }
}

const dataEvents = process.env.EDDY_SOCKET_DATA_EVENTS === '1' && 'the server reads via data events (no frame pool)';

test('a produce frame returns to the pool after its response, other frames never', { skip: dataEvents }, async () => {
  const pool = new SpyPool();
  let release = null as (() => void) | null;
  let seen = null as Buffer | null;
  const handlers = new Map<number, (req: any) => unknown>([
    [ApiKey.Produce, (req) => {
      seen = req.topics[0].partitions[0].records;
      return new Promise((resolve) => {
        release = () => resolve({ topics: [{ name: 't', partitions: [{ partition: 0, errorCode: ErrorCode.None, errorMessage: null, baseOffset: 0, lastOffset: 0, smartModuleError: null }] }] });
      });
    }],
    [ApiKey.CreateSmartModule, () => ({ errorCode: ErrorCode.None, errorMessage: null })],
  ]);
  const noop = (): void => {};
  const metrics = { observeRequest: noop, connectionOpened: noop, connectionClosed: noop, protocolError: noop, streamOpened: noop, streamClosed: noop };
  const ctx = { spu: {}, controller: {}, handlers, metrics, logger: pino({ level: 'silent' }), maxFrameBytes: 64 * 1024 * 1024, framePool: pool } as unknown as ConnectionContext;
  const server = new BrokerServer(ctx);
  const port = await server.listen('127.0.0.1', 0);
  const client = await RawClient.connect(port);
  try {
    const records = batchOf([Buffer.alloc(200_000, 'x').toString()]);
    const answered = client.request('Produce', { acks: 1, timeoutMs: 1000, smartmodules: [], topics: [{ name: 't', partitions: [{ partition: 0, records }] }] });
    while (release === null) await new Promise((r) => setTimeout(r, 5));
    assert.equal(pool.taken.length, 1, 'the large frame came from the pool');
    assert.equal(seen!.buffer, pool.taken[0].buffer, 'the request decodes to views of that frame');
    assert.deepEqual(seen, records);
    assert.equal(pool.given.length, 0, 'not given back while the request is pending');
    release!();
    const res = await answered;
    assert.equal(res.topics[0].partitions[0].errorCode, ErrorCode.None);
    assert.equal(pool.given.length, 1);
    assert.equal(pool.given[0].buffer, pool.taken[0].buffer);

    const wasm = Buffer.alloc(300_000, 1);
    const created = await client.request('CreateSmartModule', { name: 'm', version: '1', description: '', wasm });
    assert.equal(created.errorCode, ErrorCode.None);
    assert.equal(pool.taken.length, 2);
    assert.equal(pool.given.length, 1, 'a non-produce frame is never recycled');
  } finally {
    await client.close();
    await server.close();
  }
});

test('past the in-flight limit the connection stops reading its socket, and reads on once requests complete', async () => {
  const pending: (() => void)[] = [];
  let received = 0;
  const ok = { topics: [{ name: 't', partitions: [{ partition: 0, errorCode: ErrorCode.None, errorMessage: null, baseOffset: 0, lastOffset: 0, smartModuleError: null }] }] };
  const handlers = new Map<number, (req: any) => unknown>([
    [ApiKey.Produce, () => { received++; return new Promise((resolve) => pending.push(() => resolve(ok))); }],
  ]);
  const noop = (): void => {};
  const metrics = { observeRequest: noop, connectionOpened: noop, connectionClosed: noop, protocolError: noop, streamOpened: noop, streamClosed: noop };
  // The limit is max(64 MiB, maxFrameBytes): 80 requests of ~1 MiB go past it.
  const ctx = { spu: {}, controller: {}, handlers, metrics, logger: pino({ level: 'silent' }), maxFrameBytes: 2 * 1024 * 1024 } as unknown as ConnectionContext;
  const server = new BrokerServer(ctx);
  const port = await server.listen('127.0.0.1', 0);
  const client = await RawClient.connect(port);
  try {
    const records = batchOf([Buffer.alloc(1024 * 1024, 'y').toString()]);
    const answers = Array.from({ length: 80 }, () => client.request('Produce', { acks: 1, timeoutMs: 1000, smartmodules: [], topics: [{ name: 't', partitions: [{ partition: 0, records }] }] }));
    const until = Date.now() + 10_000;
    let stable = 0;
    for (let last = -1; stable < 5 && Date.now() < until; await new Promise((r) => setTimeout(r, 20))) {
      stable = received === last ? stable + 1 : 0;
      last = received;
    }
    assert.ok(received >= 64 && received < 80, `reading paused past 64 MiB in flight (got ${received} requests)`);
    // Completing requests lets it read the rest.
    while (pending.length > 0 || received < 80) {
      for (const p of pending.splice(0)) p();
      await new Promise((r) => setTimeout(r, 5));
      if (Date.now() > until) assert.fail(`stuck at ${received} requests`);
    }
    for (const p of pending.splice(0)) p();
    const res = await Promise.all(answers);
    assert.equal(res.length, 80);
  } finally {
    await client.close();
    await server.close();
  }
});
