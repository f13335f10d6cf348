// A connection closed for bad input lets go of everything once its socket has closed: its close
// grace timer is cleared (it used to hold the connection, socket and reader for 2 s after the peer
// had gone) and its read scratch goes back to the frame pool for the next connection.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Server, Socket } from 'node:net';
import { pino } from 'pino';
import { BrokerServer } from '../src/server/index.ts';
import { BrokerMetrics } from '../src/observability/index.ts';
import { BufferPool } from '../src/storage/index.ts';
import type { ConnectionContext } from '../src/server/connection_context.ts';
import { churnBadConnections } from './support/bad_churn.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const COUNT = 2_000;
const CONCURRENCY = 20;

test('bad-input connections are released when their socket closes, and reuse pooled scratch buffers', async () => {
  const framePool = new BufferPool();
  // Bad size prefixes never reach a handler: the parts they would use are not needed here.
  const ctx = {
    handlers: new Map(), metrics: new BrokerMetrics(() => []), logger: pino({ level: 'silent' }),
    maxFrameBytes: 64 * 1024, frameTimeoutMs: 0, framePool,
  } as unknown as ConnectionContext;
  const server = new BrokerServer(ctx);
  const sockets: WeakRef<Socket>[] = [];
  (server as unknown as { server: Server }).server.on('connection', (s: Socket) => sockets.push(new WeakRef(s)));
  const port = await server.listen('127.0.0.1', 0);
  try {
    await churnBadConnections(port, COUNT, CONCURRENCY);
    assert.equal(sockets.length, COUNT);
    for (let i = 0; i < 50 && server.connectionCount > 0; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(server.connectionCount, 0);
    assert.equal(ctx.metrics.protocolErrors, COUNT, 'each connection was closed for its bad prefix');
    // Well within the 2 s grace period: nothing may still hold the closed sockets.
    await new Promise((r) => setImmediate(r));
    gc();
    await new Promise((r) => setImmediate(r));
    gc();
    const alive = sockets.filter((w) => w.deref() !== undefined).length;
    assert.ok(alive < COUNT / 20, `${alive} of ${COUNT} closed sockets are still reachable`);
    // One scratch per concurrent connection at most, then reuse (with user-buffer reads).
    if (process.env.EDDY_SOCKET_DATA_EVENTS !== '1') {
      assert.ok(framePool.stats.allocated <= CONCURRENCY * 2, `${framePool.stats.allocated} scratch buffers allocated for ${COUNT} connections`);
      assert.ok(framePool.stats.reused >= COUNT - CONCURRENCY * 2);
    }
  } finally {
    await server.close();
  }
});
