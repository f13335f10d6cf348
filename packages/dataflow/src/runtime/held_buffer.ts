/**
 * What accumulate and concatenate operations hold until the frontier passes a message's
 * timestamp: the message copied out of its batch, with its order key and source event time.
 */
import { M_PHYSICAL } from '../abi/message_batch.ts';
import type { Chunk } from './message_chunk.ts';
import type { FrontierSteps } from './frontier_steps.ts';

export interface Held {
  bytes: Buffer;
  order: number;
  /**
   * Whole ms of the causing source message's event time: a tie-break key only (messages with
   * equal keys and timestamps then compare by bytes), so ms is enough and stays one number.
   */
  origin: number;
}

/** A buffering operation's held messages (checkpointed with the instance). */
export interface HeldBuffer {
  add(h: Held): void;
  /** What the frontier changes of this step release, in release order, or null. */
  release(steps: FrontierSteps): Chunk | null;
  /** Held messages in checkpoint order. */
  forEach(fn: (h: Held) => void): void;
  readonly size: number;
}

/** The held message's timestamp: 16 bytes inside its message header. */
export function heldTimestamp(h: Held): Buffer {
  return h.bytes.subarray(M_PHYSICAL, M_PHYSICAL + 16);
}

/** Canonical order within one timestamp: source event time, then the message bytes. */
export function canonical(a: Held, b: Held): number {
  return a.origin - b.origin || Buffer.compare(a.bytes, b.bytes);
}
