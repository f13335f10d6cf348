import type { Logger } from 'pino';
import type { BufferPool } from '../storage/index.ts';
import type { BrokerMetrics } from '../observability/index.ts';
import type { AnyHandler, HandlerContext } from './handler.ts';

/** What every connection of a server shares: the broker's parts, its handlers and its limits. */
export interface ConnectionContext extends HandlerContext {
  /** Request-response handlers by api key (see handler_table.ts). */
  handlers: ReadonlyMap<number, AnyHandler>;
  metrics: BrokerMetrics;
  logger: Logger;
  maxFrameBytes: number;
  /** Longest a frame may take from its first byte to its last before the connection is closed (0: no limit). */
  frameTimeoutMs: number;
  /** Where large request frames come from (and produce frames go back to). */
  framePool: BufferPool;
}
