import { createServer } from 'node:net';
import type { AddressInfo, Server } from 'node:net';
import { Connection } from './connection.ts';
import type { ConnectionContext } from './connection_context.ts';
import { ACCEPT_FAILURE_LOG_MS, FRAME_SWEEP_MAX_MS, FRAME_SWEEP_MIN_MS } from '../defaults.ts';
import { openDescriptorCount, readDescriptorLimit } from '../util/descriptor_limit.ts';
import { BufferPool } from '../storage/index.ts';

/** The TCP listener: one Connection per client socket. */
export class BrokerServer {
  private server: Server;
  private ctx: ConnectionContext;
  private connections = new Set<Connection>();
  private nextId = 1;
  private frameTimer: NodeJS.Timeout | null = null;

  constructor(opts: Omit<ConnectionContext, 'framePool'> & { framePool?: BufferPool }) {
    const ctx: ConnectionContext = { ...opts, framePool: opts.framePool ?? new BufferPool() };
    this.ctx = ctx;
    // Paused: each Connection picks how it reads before the first byte comes in.
    // Half-open: a client's FIN leaves our side writable, so a frame it cut short can be answered
    // (Connection ends our side itself).
    this.server = createServer({ noDelay: true, pauseOnConnect: true, allowHalfOpen: true }, (socket) => {
      const conn = new Connection(this.nextId++, socket, ctx, (c) => {
        this.connections.delete(c);
        ctx.logger.debug({ conn: c.id, remote: c.remote }, 'connection closed');
      });
      this.connections.add(conn);
      ctx.logger.debug({ conn: conn.id, remote: conn.remote }, 'connection opened');
    });
    let lastAcceptFailure = -Infinity;
    let acceptFailures = 0;
    this.server.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EMFILE' && err.code !== 'ENFILE') {
        ctx.logger.error({ err: err.message }, 'listener error');
        return;
      }
      // libuv closes the connection it could not accept; clients see a close without a word.
      // Logged once per interval (this repeats for every connection attempt while it lasts).
      acceptFailures++;
      const now = performance.now();
      if (now - lastAcceptFailure < ACCEPT_FAILURE_LOG_MS) return;
      lastAcceptFailure = now;
      const limit = readDescriptorLimit();
      ctx.logger.error(
        { code: err.code, limit: limit?.soft ?? null, openFiles: openDescriptorCount(), connections: this.connections.size, refusedSinceLastLine: acceptFailures },
        err.code === 'EMFILE'
          ? `cannot accept connections: the process has used up its open-file limit (${limit?.soft ?? 'unknown'}); raise it (ulimit -n) or hold fewer partitions`
          : 'cannot accept connections: the system-wide open-file table is full',
      );
      acceptFailures = 0;
    });
    if (ctx.frameTimeoutMs > 0) {
      // One sweep for all connections, a few times per timeout: no timer work per frame.
      const every = Math.min(FRAME_SWEEP_MAX_MS, Math.max(FRAME_SWEEP_MIN_MS, Math.floor(ctx.frameTimeoutMs / 4)));
      this.frameTimer = setInterval(() => {
        const now = performance.now();
        for (const c of this.connections) c.checkFrameTimeout(now);
      }, every);
      this.frameTimer.unref();
    }
  }

  get connectionCount(): number { return this.connections.size; }

  /** Resolves with the bound port (useful with port 0). */
  listen(host: string, port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      this.server.once('error', onError);
      this.server.listen({ host, port }, () => {
        this.server.off('error', onError);
        resolve((this.server.address() as AddressInfo).port);
      });
    });
  }

  /** Stops accepting, then shuts every connection down (streams ended, in-flight requests answered). */
  async close(): Promise<void> {
    if (this.frameTimer !== null) clearInterval(this.frameTimer);
    this.frameTimer = null;
    const stopped = new Promise<void>((resolve) => this.server.close(() => resolve()));
    await Promise.all([...this.connections].map((c) => c.shutdown()));
    await stopped;
  }
}
