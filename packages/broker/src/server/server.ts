import { createServer } from 'node:net';
import type { AddressInfo, Server } from 'node:net';
import { Connection } from './connection.ts';
import type { ConnectionContext } from './connection_context.ts';
import { ACCEPT_FAILURE_LOG_MS, ACCEPT_RESERVE_DESCRIPTORS, FRAME_SWEEP_MAX_MS, FRAME_SWEEP_MIN_MS } from '../defaults.ts';
import { openDescriptorCount, readDescriptorLimit } from '../util/descriptor_limit.ts';
import { BufferPool, SHARED_OPEN_SEGMENTS } from '../storage/index.ts';
import { AcceptGuard } from './accept_guard.ts';
import { refuseConnection } from './refused_connection.ts';

/** Refused connections waiting for their first request at once; more are closed unanswered (each holds a descriptor of the reserve). */
const MAX_REFUSING = ACCEPT_RESERVE_DESCRIPTORS / 2;

/** The TCP listener: one Connection per client socket. */
export class BrokerServer {
  private server: Server;
  private ctx: ConnectionContext;
  private connections = new Set<Connection>();
  private nextId = 1;
  private frameTimer: NodeJS.Timeout | null = null;
  private readonly guard: AcceptGuard;
  private refusing = 0;

  constructor(opts: Omit<ConnectionContext, 'framePool'> & { framePool?: BufferPool }) {
    const ctx: ConnectionContext = { ...opts, framePool: opts.framePool ?? new BufferPool() };
    this.ctx = ctx;
    // Read now: the broker raised the limit before making its server.
    const limit = readDescriptorLimit()?.soft ?? null;
    this.guard = new AcceptGuard(limit, () => Math.max(0, SHARED_OPEN_SEGMENTS.cap - SHARED_OPEN_SEGMENTS.size));
    const outOfDescriptors = `the broker is out of file descriptors (limit ${limit}); try again later`;
    let lastAcceptFailure = -Infinity;
    let acceptFailures = 0;
    /** One line per interval however many connections fail or are refused meanwhile. */
    const logShortage = (code: string): void => {
      acceptFailures++;
      const now = performance.now();
      if (now - lastAcceptFailure < ACCEPT_FAILURE_LOG_MS) return;
      lastAcceptFailure = now;
      ctx.logger.error(
        { code, limit, openFiles: openDescriptorCount(), connections: this.connections.size, refusedSinceLastLine: acceptFailures },
        code === 'ENFILE'
          ? 'cannot accept connections: the system-wide open-file table is full'
          : `refusing connections: the process is near its open-file limit (${limit ?? 'unknown'}); raise it (ulimit -n) or hold fewer partitions`,
      );
      acceptFailures = 0;
    };
    // Paused: each Connection picks how it reads before the first byte comes in.
    // Half-open: a client's FIN leaves our side writable, so a frame it cut short can be answered
    // (Connection ends our side itself).
    this.server = createServer({ noDelay: true, pauseOnConnect: true, allowHalfOpen: true }, (socket) => {
      if (!this.guard.admit()) {
        // Answered, not dropped: see accept_guard.ts.
        logShortage('EMFILE');
        if (this.refusing >= MAX_REFUSING) {
          socket.destroy();
          return;
        }
        this.refusing++;
        refuseConnection(socket, outOfDescriptors, ctx.maxFrameBytes, () => {
          this.refusing--;
          this.guard.connectionClosed();
        });
        return;
      }
      const conn = new Connection(this.nextId++, socket, ctx, (c) => {
        this.connections.delete(c);
        this.guard.connectionClosed();
        ctx.logger.debug({ conn: c.id, remote: c.remote }, 'connection closed');
      });
      this.connections.add(conn);
      ctx.logger.debug({ conn: conn.id, remote: conn.remote }, 'connection opened');
    });
    this.server.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EMFILE' && err.code !== 'ENFILE') {
        ctx.logger.error({ err: err.message }, 'listener error');
        return;
      }
      // The guard's threshold was not enough (something else used the descriptors up): libuv
      // closed this connection unanswered. Free the reserve so the next one can be answered.
      this.guard.acceptFailed();
      logShortage(err.code);
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
    this.guard.close();
  }
}
