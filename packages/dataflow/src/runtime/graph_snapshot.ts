/**
 * The graph checkpoint format (version 2): what a GraphInstance needs to continue exactly where
 * it stopped. The bytes are UTF-8 JSON, keys in this order:
 *
 *   { "v": 2, "position", "seq", "frontier": decimal ns string | null (null: not finite),
 *     "lateMessages", "clock": { "physical": decimal ns string, "counter" },
 *     "state": base64 of StateStore.snapshot(),
 *     "ops": { <operation name>: { "in", "out", "held": [[base64 message, order key, origin], …] } } }
 *
 * Times are ns since the epoch as decimal strings (they pass 2^53). Version 1 (written before
 * physical time was ns) had them as ms numbers, and held messages with ms timestamps: it still
 * loads, converted to ns (× 1e6, exact). Brokers store these bytes; see
 * test/graph_snapshot.test.ts and its golden checkpoints.
 */
import { M_PHYSICAL, MESSAGE_HEADER_BYTES } from '../abi/message_batch.ts';
import { msOf, nsOf, subOf } from '../time/nanos.ts';
import type { Held } from './held_buffer.ts';

/** One operation's counters and held messages. */
export interface OperationSnapshot {
  recordsIn: number;
  recordsOut: number;
  held: Held[];
}

export interface GraphSnapshot {
  position: number;
  seq: number;
  /**
   * The frontier as whole ms and ns past it. -Infinity for "none yet"; a non-finite frontier is
   * stored as null and read back as -Infinity.
   */
  frontierMs: number;
  frontierSub: number;
  lateMessages: number;
  clock: { physical: bigint; counter: number };
  state: Uint8Array;
  /** By operation name, in plan order. */
  operations: Map<string, OperationSnapshot>;
}

export class GraphSnapshotError extends Error {
  override readonly name = 'GraphSnapshotError';
}

type Ops = Record<string, { in: number; out: number; held: [string, number, number][] }>;

/** Version 2's JSON shape. */
interface SnapshotV2 {
  v: 2;
  position: number;
  seq: number;
  frontier: string | null;
  lateMessages: number;
  clock: { physical: string; counter: number };
  state: string;
  ops: Ops;
}

/** Version 1's (times in ms). */
interface SnapshotV1 {
  v: 1;
  position: number;
  seq: number;
  frontier: number | null;
  lateMessages: number;
  clock: { physical: number; counter: number };
  state: string;
  ops: Ops;
}

export function encodeGraphSnapshot(s: GraphSnapshot): Buffer {
  const ops: Ops = {};
  for (const [name, o] of s.operations) {
    ops[name] = { in: o.recordsIn, out: o.recordsOut, held: o.held.map((h) => [h.bytes.toString('base64'), h.order, h.origin]) };
  }
  // Built field by field so the key order (and so the bytes) never depends on the caller.
  const v2: SnapshotV2 = {
    v: 2,
    position: s.position,
    seq: s.seq,
    frontier: Number.isFinite(s.frontierMs) ? String(nsOf(s.frontierMs, s.frontierSub)) : null,
    lateMessages: s.lateMessages,
    clock: { physical: String(s.clock.physical), counter: s.clock.counter },
    state: Buffer.from(s.state).toString('base64'),
    ops,
  };
  return Buffer.from(JSON.stringify(v2));
}

// a frontier can be before the epoch (event time − allowed lateness)
const NS = /^-?[0-9]{1,20}$/;

function ns(text: unknown): bigint {
  if (typeof text !== 'string' || !NS.test(text)) throw new GraphSnapshotError('graph checkpoint has an unknown format');
  return BigInt(text);
}

export function decodeGraphSnapshot(bytes: Uint8Array): GraphSnapshot {
  let s: SnapshotV1 | SnapshotV2;
  try {
    s = JSON.parse(Buffer.from(bytes).toString('utf8')) as SnapshotV1 | SnapshotV2;
  } catch (err) {
    throw new GraphSnapshotError(`graph checkpoint is not readable: ${(err as Error).message}`);
  }
  if ((s?.v !== 1 && s?.v !== 2) || typeof s.position !== 'number' || typeof s.seq !== 'number' || typeof s.state !== 'string') {
    throw new GraphSnapshotError('graph checkpoint has an unknown format');
  }
  if (typeof s.clock !== 'object' || s.clock === null || typeof s.ops !== 'object' || s.ops === null) {
    throw new GraphSnapshotError('graph checkpoint has an unknown format');
  }
  const v1 = s.v === 1;
  const operations = new Map<string, OperationSnapshot>();
  for (const [name, o] of Object.entries(s.ops)) {
    operations.set(name, {
      recordsIn: o?.in ?? 0,
      recordsOut: o?.out ?? 0,
      held: (o?.held ?? []).map((h) => {
        const bytes = Buffer.from(h[0], 'base64');
        if (v1) msToNsInPlace(bytes);
        return { bytes, order: h[1], origin: h[2] };
      }),
    });
  }
  let frontierMs = Number.NEGATIVE_INFINITY;
  let frontierSub = 0;
  let physical: bigint;
  if (s.v === 1) {
    if (s.frontier !== null) frontierMs = s.frontier;
    physical = BigInt(s.clock.physical) * 1_000_000n;
  } else {
    if (s.frontier !== null) {
      const f = ns(s.frontier);
      frontierMs = msOf(f);
      frontierSub = subOf(f);
    }
    physical = ns(s.clock.physical);
  }
  return {
    position: s.position,
    seq: s.seq,
    frontierMs,
    frontierSub,
    lateMessages: s.lateMessages,
    clock: { physical, counter: s.clock.counter },
    // The state snapshot carries its own version (1: ms, 2: ns); StateStore.restore converts.
    state: Buffer.from(s.state, 'base64'),
    operations,
  };
}

/** A version 1 held message's timestamp was ms: make it ns. */
function msToNsInPlace(message: Buffer): void {
  if (message.length < MESSAGE_HEADER_BYTES) throw new GraphSnapshotError('graph checkpoint has a held message shorter than its header');
  message.writeBigUInt64LE(message.readBigUInt64LE(M_PHYSICAL) * 1_000_000n, M_PHYSICAL);
}
