/**
 * One running instance of a graph (one per source partition): pushes batches of source
 * messages through the operations in topological order, tracks the frontier and releases
 * accumulate and concatenate buffers when the frontier passes their timestamps.
 *
 * Determinism. Every message carries an order key: 2·i for what source message i caused
 * directly, 2·r+1 for what a buffer released when the frontier first passed its timestamp at
 * source message r. The frontier after each source message is a function of the messages so
 * far (max event time − allowed lateness), so these keys, and the sink's order sorted by
 * (key, timestamp, event time, bytes), depend only on the input sequence: not on how it was cut
 * into batches, on restarts, or on how partitions interleave.
 */
import type { GraphPlan, PlanOperation } from '../definition/types.ts';
import { MessageBatch, MessageBatchBuilder, M_PHYSICAL, compareTimestampBytes } from '../abi/message_batch.ts';
import { HybridClock, type Hlc } from '../time/hlc.ts';
import { StateStore } from '../host/state_store.ts';
import { GraphOperatorError } from '../host/errors.ts';
import { OperatorInstance, type OperatorHost } from '../host/operator_instance.ts';
import type { CompiledOperatorModule } from '../host/operator_module.ts';

/** Messages in flight between operations, with their order keys and source event times. */
interface Chunk {
  batch: MessageBatch;
  order: Float64Array;
  origin: Float64Array;
}

/** A message held by a buffering operation (copied out of its batch). */
interface Held {
  bytes: Buffer;
  order: number;
  origin: number;
}

export interface OperationStats {
  name: string;
  type: string;
  recordsIn: number;
  recordsOut: number;
}

export interface StepResult {
  /** What reached the sink, in the deterministic order. */
  output: MessageBatch;
  /** Sequence number of the first output (outputs are numbered from 0 over the instance's life). */
  firstSeq: number;
  /** Source messages dropped as late in this step (event time behind the frontier). */
  late: MessageBatch;
}

export interface GraphInstanceOptions {
  plan: GraphPlan;
  /** Compiled modules by `name:version`. */
  modules: ReadonlyMap<string, CompiledOperatorModule>;
  /** HLC node id: the source partition. */
  node: number;
  allowedLatenessMs: number;
  /** Seed values for a new instance's state store (not applied when restoring). */
  state?: Readonly<Record<string, string>>;
  log?: (operation: string, level: number, message: string) => void;
  metric?: (operation: string, kind: 'counter' | 'histogram', name: string, labels: Uint8Array, value: number) => void;
  /** A snapshot() of an earlier run of this instance to continue from. */
  snapshot?: Uint8Array;
}

interface OpState {
  op: PlanOperation;
  instance: OperatorInstance | null;
  /** Indexes of target operations (per arm for branch). */
  targets: number[];
  trueTargets: number[];
  falseTargets: number[];
  inbox: Chunk[];
  stats: OperationStats;
  /** accumulate: held messages by timestamp (16 bytes as latin1); concatenate: by message. */
  groups: Map<string, Held[]> | null;
  held: Held[] | null;
}

const INFINITE = Number.POSITIVE_INFINITY;

export class GraphInstance {
  readonly plan: GraphPlan;
  readonly node: number;
  readonly allowedLatenessMs: number;
  /** Source messages seen so far (the next message's position). */
  position = 0;
  /** Outputs emitted so far (the next output's sequence number). */
  seq = 0;
  /** No message with an earlier event time (ms) is accepted any more. */
  frontier = -INFINITE;
  lateMessages = 0;
  readonly clock: HybridClock;
  readonly state: StateStore;
  private readonly ops: OpState[];
  private readonly sinkIndex: number;
  private readonly sourceIndex: number;
  /** Frontier change points within the current step: at position fPos[k] it became fVal[k]. */
  private fPos: number[] = [];
  private fVal: number[] = [];

  constructor(opts: GraphInstanceOptions) {
    this.plan = opts.plan;
    this.node = opts.node;
    this.allowedLatenessMs = Math.max(0, opts.allowedLatenessMs);
    this.clock = new HybridClock(opts.node);
    const snap = opts.snapshot ? decodeSnapshot(opts.snapshot) : null;
    if (snap) {
      this.position = snap.position;
      this.seq = snap.seq;
      this.frontier = snap.frontier === null ? -INFINITE : snap.frontier;
      this.lateMessages = snap.lateMessages;
      this.clock.physical = snap.clock.physical;
      this.clock.counter = snap.clock.counter;
    }
    this.state = snap ? StateStore.restore(Buffer.from(snap.state, 'base64'), () => this.clock.physical) : new StateStore(() => this.clock.physical);
    if (!snap && opts.state) {
      for (const [k, v] of Object.entries(opts.state)) this.state.set(Buffer.from(k), Buffer.from(v), { condition: 0 });
    }
    const host: OperatorHost = {
      state: this.state,
      clock: this.clock,
      log: opts.log ?? (() => {}),
      metric: opts.metric ?? (() => {}),
    };
    const index = new Map(opts.plan.operations.map((op, i) => [op.name, i]));
    this.ops = opts.plan.operations.map((op) => {
      let instance: OperatorInstance | null = null;
      if (op.type !== 'source' && op.type !== 'sink' && op.type !== 'concatenate') {
        if (!op.module) throw new GraphOperatorError(op.name, 'abi', `has no module`);
        const ref = `${op.module.name}:${op.module.version}`;
        const compiled = opts.modules.get(ref);
        if (!compiled) throw new GraphOperatorError(op.name, 'abi', `needs module ${ref}, which was not loaded`);
        instance = new OperatorInstance(compiled, op.name, op.type, host);
        instance.init(op.params);
      }
      const targets = (arm?: 'True' | 'False') => op.outputs.filter((o) => o.arm === arm).map((o) => index.get(o.to)!);
      const saved = snap?.ops[op.name];
      const groups = op.type === 'accumulate' ? new Map<string, Held[]>() : null;
      const held = op.type === 'concatenate' ? ([] as Held[]) : null;
      for (const h of saved?.held ?? []) {
        const entry: Held = { bytes: Buffer.from(h[0], 'base64'), order: h[1], origin: h[2] };
        if (groups) pushGroup(groups, entry);
        else held?.push(entry);
      }
      return {
        op,
        instance,
        targets: op.type === 'branch' ? [] : op.outputs.map((o) => index.get(o.to)!),
        trueTargets: op.type === 'branch' ? targets('True') : [],
        falseTargets: op.type === 'branch' ? targets('False') : [],
        inbox: [],
        stats: { name: op.name, type: op.type, recordsIn: saved?.in ?? 0, recordsOut: saved?.out ?? 0 },
        groups,
        held,
      };
    });
    this.sinkIndex = index.get(opts.plan.sink)!;
    this.sourceIndex = index.get(opts.plan.source)!;
  }

  /** Runs one batch of source messages (in arrival order) through the graph. */
  process(input: MessageBatch): StepResult {
    const n = input.count;
    const base = this.position;
    this.fPos = [];
    this.fVal = [];
    // Late check and frontier, message by message; the clock follows the event times.
    let late: Uint8Array | null = null;
    let frontier = this.frontier;
    const lateness = this.allowedLatenessMs;
    for (let i = 0; i < n; i++) {
      const t = input.physical(i);
      if (t < frontier) {
        (late ??= new Uint8Array(n))[i] = 1;
        continue;
      }
      this.clock.observe(t, input.counter(i));
      const f = t - lateness;
      if (f > frontier) {
        frontier = f;
        this.fPos.push(base + i);
        this.fVal.push(f);
      }
    }
    this.position = base + n;
    this.frontier = frontier;
    let accepted = input;
    let lateBatch = MessageBatch.EMPTY;
    const order = new Float64Array(n);
    const origin = new Float64Array(n);
    if (late !== null) {
      const keep = new MessageBatchBuilder(input.bytes.length);
      const drop = new MessageBatchBuilder(256);
      let k = 0;
      for (let i = 0; i < n; i++) {
        if (late[i]) {
          drop.appendFrom(input, i);
          continue;
        }
        keep.appendFrom(input, i);
        order[k] = 2 * (base + i);
        origin[k] = input.physical(i);
        k++;
      }
      accepted = keep.finish();
      lateBatch = drop.finish();
      this.lateMessages += lateBatch.count;
    } else {
      for (let i = 0; i < n; i++) {
        order[i] = 2 * (base + i);
        origin[i] = input.physical(i);
      }
    }
    const src = this.ops[this.sourceIndex];
    src.stats.recordsIn += accepted.count;
    src.stats.recordsOut += accepted.count;
    const chunk: Chunk = { batch: accepted, order: order.subarray(0, accepted.count), origin: origin.subarray(0, accepted.count) };
    for (const t of src.targets) this.ops[t].inbox.push(chunk);
    return { ...this.run(), late: lateBatch };
  }

  /** End of input (`graph test`): the frontier moves past every timestamp and all buffers drain. */
  flush(): StepResult {
    this.fPos = [this.position];
    this.fVal = [INFINITE];
    this.frontier = INFINITE;
    return { ...this.run(), late: MessageBatch.EMPTY };
  }

  stats(): OperationStats[] {
    return this.ops.map((o) => ({ ...o.stats }));
  }

  /** Messages held in accumulate/concatenate buffers, waiting for the frontier. */
  heldMessages(): number {
    let n = 0;
    for (const o of this.ops) {
      if (o.held) n += o.held.length;
      if (o.groups) for (const g of o.groups.values()) n += g.length;
    }
    return n;
  }

  /** Everything needed to continue exactly here: positions, frontier, clock, buffers, state. */
  snapshot(): Buffer {
    const ops: Record<string, SnapshotOp> = {};
    for (const o of this.ops) {
      const held: [string, number, number][] = [];
      const add = (h: Held) => held.push([h.bytes.toString('base64'), h.order, h.origin]);
      if (o.held) o.held.forEach(add);
      if (o.groups) for (const g of o.groups.values()) g.forEach(add);
      ops[o.op.name] = { in: o.stats.recordsIn, out: o.stats.recordsOut, held };
    }
    const snap: Snapshot = {
      v: 1,
      position: this.position,
      seq: this.seq,
      frontier: Number.isFinite(this.frontier) ? this.frontier : null,
      lateMessages: this.lateMessages,
      clock: { physical: this.clock.physical, counter: this.clock.counter },
      state: Buffer.from(this.state.snapshot()).toString('base64'),
      ops,
    };
    return Buffer.from(JSON.stringify(snap));
  }

  private run(): Omit<StepResult, 'late'> {
    const sinkChunks: Chunk[] = [];
    for (let k = 0; k < this.ops.length; k++) {
      const o = this.ops[k];
      if (k === this.sourceIndex) continue;
      const inbox = o.inbox;
      o.inbox = [];
      for (const c of inbox) o.stats.recordsIn += c.batch.count;
      if (k === this.sinkIndex) {
        for (const c of inbox) if (c.batch.count > 0) sinkChunks.push(c);
        continue;
      }
      const outs = this.step(o, inbox);
      for (const [c, targets] of outs) {
        if (c.batch.count === 0) continue;
        o.stats.recordsOut += c.batch.count;
        for (const t of targets) this.ops[t].inbox.push(c);
      }
    }
    const output = mergeInOrder(sinkChunks);
    this.ops[this.sinkIndex].stats.recordsOut += output.count;
    const firstSeq = this.seq;
    this.seq += output.count;
    return { output, firstSeq };
  }

  private step(o: OpState, inbox: Chunk[]): [Chunk, number[]][] {
    const out: [Chunk, number[]][] = [];
    switch (o.op.type) {
      case 'map':
        for (const c of inbox) if (c.batch.count > 0) out.push([{ ...c, batch: o.instance!.map(c.batch) }, o.targets]);
        break;
      case 'filter':
        for (const c of inbox) {
          if (c.batch.count === 0) continue;
          out.push([select(c, o.instance!.decide(c.batch), 1), o.targets]);
        }
        break;
      case 'branch':
        for (const c of inbox) {
          if (c.batch.count === 0) continue;
          const d = o.instance!.decide(c.batch);
          out.push([select(c, d, 1), o.trueTargets]);
          out.push([select(c, d, 0), o.falseTargets]);
        }
        break;
      case 'delay':
        for (const c of inbox) {
          if (c.batch.count === 0) continue;
          const ts = o.instance!.delay(c.batch);
          const b = new MessageBatchBuilder(c.batch.bytes.length, c.batch.count);
          for (let i = 0; i < c.batch.count; i++) b.appendWithTimestamp(c.batch, i, ts, i * 16);
          out.push([{ batch: b.finish(), order: c.order, origin: c.origin }, o.targets]);
        }
        break;
      case 'accumulate': {
        for (const c of inbox) {
          for (let i = 0; i < c.batch.count; i++) pushGroup(o.groups!, { bytes: Buffer.from(c.batch.message(i)), order: c.order[i], origin: c.origin[i] });
        }
        const released = this.releaseGroups(o);
        if (released) out.push([released, o.targets]);
        break;
      }
      case 'concatenate': {
        for (const c of inbox) {
          for (let i = 0; i < c.batch.count; i++) o.held!.push({ bytes: Buffer.from(c.batch.message(i)), order: c.order[i], origin: c.origin[i] });
        }
        const released = this.releaseHeld(o);
        if (released) out.push([released, o.targets]);
        break;
      }
      default:
        throw new GraphOperatorError(o.op.name, 'abi', `has unsupported type ${o.op.type}`);
    }
    return out;
  }

  /** Order key of a release of timestamp `physical` (the first frontier change past it), or -1. */
  private releaseKey(physical: number): number {
    const fv = this.fVal;
    if (fv.length === 0 || !(fv[fv.length - 1] > physical)) return -1;
    let lo = 0;
    let hi = fv.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (fv[mid] > physical) hi = mid;
      else lo = mid + 1;
    }
    return 2 * this.fPos[lo] + 1;
  }

  private releaseGroups(o: OpState): Chunk | null {
    const due: { ts: Buffer; key: number; group: Held[] }[] = [];
    for (const [k, group] of o.groups!) {
      const ts = group[0].bytes.subarray(M_PHYSICAL, M_PHYSICAL + 16);
      const key = this.releaseKey(physicalOf(ts));
      if (key < 0) continue;
      o.groups!.delete(k);
      due.push({ ts, key, group });
    }
    if (due.length === 0) return null;
    due.sort((a, b) => a.key - b.key || compareTimestampBytes(a.ts, 0, b.ts, 0));
    const out = new MessageBatchBuilder();
    const order = new Float64Array(due.length);
    const origin = new Float64Array(due.length);
    due.forEach((d, i) => {
      d.group.sort(canonical);
      const gb = new MessageBatchBuilder();
      let maxOrder = 0;
      let minOrigin = INFINITE;
      for (const h of d.group) {
        gb.append(h.bytes);
        maxOrder = Math.max(maxOrder, h.order);
        minOrigin = Math.min(minOrigin, h.origin);
      }
      out.append(o.instance!.accumulate(gb.finish()));
      order[i] = Math.max(d.key, maxOrder);
      origin[i] = minOrigin;
    });
    return { batch: out.finish(), order, origin };
  }

  private releaseHeld(o: OpState): Chunk | null {
    const keep: Held[] = [];
    const due: (Held & { key: number })[] = [];
    for (const h of o.held!) {
      const key = this.releaseKey(physicalOf(h.bytes.subarray(M_PHYSICAL, M_PHYSICAL + 16)));
      if (key < 0) keep.push(h);
      else due.push({ ...h, key: Math.max(key, h.order) });
    }
    if (due.length === 0) return null;
    o.held = keep;
    due.sort((a, b) => a.key - b.key || compareTimestampBytes(a.bytes, M_PHYSICAL, b.bytes, M_PHYSICAL) || canonical(a, b));
    const out = new MessageBatchBuilder();
    const order = new Float64Array(due.length);
    const origin = new Float64Array(due.length);
    due.forEach((h, i) => {
      out.append(h.bytes);
      order[i] = h.key;
      origin[i] = h.origin;
    });
    return { batch: out.finish(), order, origin };
  }
}

function physicalOf(ts: Uint8Array): number {
  return (ts[0] | (ts[1] << 8) | (ts[2] << 16)) + ts[3] * 0x1000000 + ((ts[4] | (ts[5] << 8) | (ts[6] << 16)) + ts[7] * 0x1000000) * 2 ** 32;
}

function pushGroup(groups: Map<string, Held[]>, h: Held): void {
  const key = h.bytes.toString('latin1', M_PHYSICAL, M_PHYSICAL + 16);
  const g = groups.get(key);
  if (g) g.push(h);
  else groups.set(key, [h]);
}

/** Canonical order within one timestamp: source event time, then the message bytes. */
function canonical(a: Held, b: Held): number {
  return a.origin - b.origin || Buffer.compare(a.bytes, b.bytes);
}

/** Keeps messages whose decision byte is (non-zero) == want, copying runs of kept messages at once. */
function select(c: Chunk, decision: Uint8Array, want: 0 | 1): Chunk {
  let n = 0;
  for (let i = 0; i < decision.length; i++) if ((decision[i] !== 0 ? 1 : 0) === want) n++;
  if (n === c.batch.count) return c;
  const b = new MessageBatchBuilder(c.batch.bytes.length, n);
  const order = new Float64Array(n);
  const origin = new Float64Array(n);
  let k = 0;
  let runStart = -1;
  for (let i = 0; i <= decision.length; i++) {
    const keep = i < decision.length && (decision[i] !== 0 ? 1 : 0) === want;
    if (keep) {
      if (runStart < 0) runStart = i;
      order[k] = c.order[i];
      origin[k] = c.origin[i];
      k++;
    } else if (runStart >= 0) {
      b.appendRange(c.batch, runStart, i);
      runStart = -1;
    }
  }
  return { batch: b.finish(), order, origin };
}

/** The sink's input chunks merged by (order key, timestamp, event time, bytes). */
function mergeInOrder(chunks: Chunk[]): MessageBatch {
  if (chunks.length === 0) return MessageBatch.EMPTY;
  const sorted = chunks.every((c) => isSorted(c.order));
  if (chunks.length === 1 && sorted) return chunks[0].batch;
  if (!sorted) return sortAll(chunks);
  // k-way merge of chunks already in order: no object per message, runs copied at once.
  let total = 0;
  let bytes = 0;
  for (const c of chunks) {
    total += c.batch.count;
    bytes += c.batch.bytes.length;
  }
  const b = new MessageBatchBuilder(bytes, total);
  const pos = new Array<number>(chunks.length).fill(0);
  for (;;) {
    let best = -1;
    for (let k = 0; k < chunks.length; k++) {
      if (pos[k] >= chunks[k].batch.count) continue;
      if (best < 0 || before(chunks[k], pos[k], chunks[best], pos[best])) best = k;
    }
    if (best < 0) break;
    // Take the run of `best` that stays ahead of every other chunk's head.
    const c = chunks[best];
    const from = pos[best];
    let to = from + 1;
    while (to < c.batch.count) {
      let ahead = true;
      for (let k = 0; k < chunks.length && ahead; k++) {
        if (k !== best && pos[k] < chunks[k].batch.count && !before(c, to, chunks[k], pos[k])) ahead = false;
      }
      if (!ahead) break;
      to++;
    }
    b.appendRange(c.batch, from, to);
    pos[best] = to;
  }
  return b.finish();
}

/** Whether message i of a goes before message j of b in the sink's order. */
function before(a: Chunk, i: number, b: Chunk, j: number): boolean {
  return compareItems(a, i, b, j) < 0;
}

function compareItems(a: Chunk, i: number, b: Chunk, j: number): number {
  const d = a.order[i] - b.order[j];
  if (d !== 0) return d;
  const t = compareTimestampBytes(a.batch.bytes, a.batch.offsets[i] + M_PHYSICAL, b.batch.bytes, b.batch.offsets[j] + M_PHYSICAL);
  if (t !== 0) return t;
  return a.origin[i] - b.origin[j] || Buffer.compare(a.batch.message(i), b.batch.message(j));
}

function sortAll(chunks: Chunk[]): MessageBatch {
  const items: { c: Chunk; i: number }[] = [];
  for (const c of chunks) for (let i = 0; i < c.batch.count; i++) items.push({ c, i });
  items.sort((x, y) => compareItems(x.c, x.i, y.c, y.i));
  const b = new MessageBatchBuilder();
  for (const { c, i } of items) b.appendFrom(c.batch, i);
  return b.finish();
}

function isSorted(a: Float64Array): boolean {
  for (let i = 1; i < a.length; i++) if (a[i] < a[i - 1]) return false;
  return true;
}

interface SnapshotOp {
  in: number;
  out: number;
  held: [string, number, number][];
}

interface Snapshot {
  v: 1;
  position: number;
  seq: number;
  frontier: number | null;
  lateMessages: number;
  clock: { physical: number; counter: number };
  state: string;
  ops: Record<string, SnapshotOp>;
}

export class GraphSnapshotError extends Error {
  override readonly name = 'GraphSnapshotError';
}

function decodeSnapshot(bytes: Uint8Array): Snapshot {
  let snap: Snapshot;
  try {
    snap = JSON.parse(Buffer.from(bytes).toString('utf8')) as Snapshot;
  } catch (err) {
    throw new GraphSnapshotError(`graph checkpoint is not readable: ${(err as Error).message}`);
  }
  if (snap?.v !== 1 || typeof snap.position !== 'number' || typeof snap.seq !== 'number' || typeof snap.state !== 'string') {
    throw new GraphSnapshotError('graph checkpoint has an unknown format');
  }
  return snap;
}

export type { Hlc };
