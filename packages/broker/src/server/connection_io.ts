import type { ApiSpec } from '@eddy/protocol';
import type { Schema } from '@eddy/protocol/internal';

/**
 * What a connection's parts (dispatch, streams, watches) use of their connection: its output,
 * its input backpressure and its closing. Connection implements it; the parts depend on this
 * rather than on Connection, which owns them.
 */
export interface ConnectionIo {
  readonly id: number;
  /** True once the connection stops taking requests (bad input, shutdown or close). */
  readonly closing: boolean;
  /** Encodes and queues one response. */
  respond(corr: number, schema: Schema<unknown>, body: unknown): void;
  /** Queues a response's parts (see Connection.write). */
  write(parts: Buffer[], written?: () => void): boolean;
  /** Resolves once the socket's buffer has room again. */
  waitDrain(): Promise<void>;
  /** Bad input: answers if it can, then closes the connection. */
  protocolError(corr: number | null, spec: ApiSpec<any, any> | undefined, code: number, message: string): void;
  /** A request of `size` bytes is being handled (may pause reading). */
  requestStarted(size: number): void;
  /** It was answered (may resume reading). */
  requestDone(size: number): void;
}
