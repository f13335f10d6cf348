/**
 * The graph checkpoint format (version 1): what a GraphInstance needs to continue exactly where
 * it stopped. The bytes are UTF-8 JSON, keys in this order:
 *
 *   { "v": 1, "position", "seq", "frontier": number | null (null: not finite), "lateMessages",
 *     "clock": { "physical", "counter" }, "state": base64 of StateStore.snapshot(),
 *     "ops": { <operation name>: { "in", "out", "held": [[base64 message, order key, origin], …] } } }
 *
 * Brokers store these bytes; any change here must keep reading version 1 (see
 * test/graph_snapshot.test.ts and its golden checkpoint).
 */
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
  /** -Infinity for "none yet"; a non-finite frontier is stored as null and read back as -Infinity. */
  frontier: number;
  lateMessages: number;
  clock: { physical: number; counter: number };
  state: Uint8Array;
  /** By operation name, in plan order. */
  operations: Map<string, OperationSnapshot>;
}

export class GraphSnapshotError extends Error {
  override readonly name = 'GraphSnapshotError';
}

/** Version 1's JSON shape. */
interface SnapshotV1 {
  v: 1;
  position: number;
  seq: number;
  frontier: number | null;
  lateMessages: number;
  clock: { physical: number; counter: number };
  state: string;
  ops: Record<string, { in: number; out: number; held: [string, number, number][] }>;
}

export function encodeGraphSnapshot(s: GraphSnapshot): Buffer {
  const ops: SnapshotV1['ops'] = {};
  for (const [name, o] of s.operations) {
    ops[name] = { in: o.recordsIn, out: o.recordsOut, held: o.held.map((h) => [h.bytes.toString('base64'), h.order, h.origin]) };
  }
  // Built field by field so the key order (and so the bytes) never depends on the caller.
  const v1: SnapshotV1 = {
    v: 1,
    position: s.position,
    seq: s.seq,
    frontier: Number.isFinite(s.frontier) ? s.frontier : null,
    lateMessages: s.lateMessages,
    clock: { physical: s.clock.physical, counter: s.clock.counter },
    state: Buffer.from(s.state).toString('base64'),
    ops,
  };
  return Buffer.from(JSON.stringify(v1));
}

export function decodeGraphSnapshot(bytes: Uint8Array): GraphSnapshot {
  let v1: SnapshotV1;
  try {
    v1 = JSON.parse(Buffer.from(bytes).toString('utf8')) as SnapshotV1;
  } catch (err) {
    throw new GraphSnapshotError(`graph checkpoint is not readable: ${(err as Error).message}`);
  }
  if (v1?.v !== 1 || typeof v1.position !== 'number' || typeof v1.seq !== 'number' || typeof v1.state !== 'string') {
    throw new GraphSnapshotError('graph checkpoint has an unknown format');
  }
  if (typeof v1.clock !== 'object' || v1.clock === null || typeof v1.ops !== 'object' || v1.ops === null) {
    throw new GraphSnapshotError('graph checkpoint has an unknown format');
  }
  const operations = new Map<string, OperationSnapshot>();
  for (const [name, o] of Object.entries(v1.ops)) {
    operations.set(name, {
      recordsIn: o?.in ?? 0,
      recordsOut: o?.out ?? 0,
      held: (o?.held ?? []).map((h) => ({ bytes: Buffer.from(h[0], 'base64'), order: h[1], origin: h[2] })),
    });
  }
  return {
    position: v1.position,
    seq: v1.seq,
    frontier: v1.frontier === null ? Number.NEGATIVE_INFINITY : v1.frontier,
    lateMessages: v1.lateMessages,
    clock: { physical: v1.clock.physical, counter: v1.clock.counter },
    state: Buffer.from(v1.state, 'base64'),
    operations,
  };
}
