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
import { MessageBatch, MessageBatchBuilder } from '../abi/message_batch.ts';
import { HybridClock, type Hlc } from '../time/hlc.ts';
import { nsOf } from '../time/nanos.ts';
import { StateStore } from '../host/state_store.ts';
import { GraphOperatorError } from '../host/errors.ts';
import { OperatorInstance, type OperatorHost } from '../host/operator_instance.ts';
import type { CompiledOperatorModule } from '../host/operator_module.ts';
import { selectChunk, type Chunk } from './message_chunk.ts';
import { mergeInOrder } from './sink_order.ts';
import { FrontierSteps } from './frontier_steps.ts';
import type { Held, HeldBuffer } from './held_buffer.ts';
import { AccumulateBuffer } from './accumulate_buffer.ts';
import { ConcatenateBuffer } from './concatenate_buffer.ts';
import { decodeGraphSnapshot, encodeGraphSnapshot, type OperationSnapshot } from './graph_snapshot.ts';

// Part of this module's API since before the checkpoint format had its own file.
export { GraphSnapshotError } from './graph_snapshot.ts';

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
  /** accumulate and concatenate: messages waiting for the frontier. */
  buffer: HeldBuffer | null;
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
  /**
   * No message with an earlier event time is accepted any more: the frontier as whole ms
   * (±Infinity: none yet / flushed) and ns past it (see time/nanos.ts).
   */
  frontierMs = -INFINITE;
  frontierSub = 0;
  lateMessages = 0;
  readonly clock: HybridClock;
  readonly state: StateStore;
  private readonly ops: OpState[];
  private readonly sinkIndex: number;
  private readonly sourceIndex: number;
  /** Frontier changes within the current step. */
  private readonly steps = new FrontierSteps();

  constructor(opts: GraphInstanceOptions) {
    this.plan = opts.plan;
    this.node = opts.node;
    this.allowedLatenessMs = Math.max(0, opts.allowedLatenessMs);
    this.clock = new HybridClock(opts.node);
    const snap = opts.snapshot ? decodeGraphSnapshot(opts.snapshot) : null;
    if (snap) {
      this.position = snap.position;
      this.seq = snap.seq;
      this.frontierMs = snap.frontierMs;
      this.frontierSub = snap.frontierSub;
      this.lateMessages = snap.lateMessages;
      this.clock.physical = snap.clock.physical;
      this.clock.counter = snap.clock.counter;
    }
    const now = () => this.clock.physical;
    this.state = snap ? StateStore.restore(snap.state, now) : new StateStore(now);
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
    const features = new Set((opts.plan.moduleRequirements.features ?? []).map((f) => f.name));
    this.ops = opts.plan.operations.map((op) => {
      let instance: OperatorInstance | null = null;
      if (op.type !== 'source' && op.type !== 'sink' && op.type !== 'concatenate') {
        if (!op.module) throw new GraphOperatorError(op.name, 'abi', `has no module`);
        const ref = `${op.module.name}:${op.module.version}`;
        const compiled = opts.modules.get(ref);
        if (!compiled) throw new GraphOperatorError(op.name, 'abi', `needs module ${ref}, which was not loaded`);
        instance = new OperatorInstance(compiled, op.name, op.type, host, { features });
        instance.init(op.params);
      }
      const targets = (arm?: 'True' | 'False') => op.outputs.filter((o) => o.arm === arm).map((o) => index.get(o.to)!);
      const saved = snap?.operations.get(op.name);
      const accumulator = instance;
      const buffer: HeldBuffer | null =
        op.type === 'accumulate' ? new AccumulateBuffer((group) => accumulator!.accumulate(group)) : op.type === 'concatenate' ? new ConcatenateBuffer() : null;
      if (buffer) for (const h of saved?.held ?? []) buffer.add(h);
      return {
        op,
        instance,
        targets: op.type === 'branch' ? [] : op.outputs.map((o) => index.get(o.to)!),
        trueTargets: op.type === 'branch' ? targets('True') : [],
        falseTargets: op.type === 'branch' ? targets('False') : [],
        inbox: [],
        stats: { name: op.name, type: op.type, recordsIn: saved?.recordsIn ?? 0, recordsOut: saved?.recordsOut ?? 0 },
        buffer,
      };
    });
    this.sinkIndex = index.get(opts.plan.sink)!;
    this.sourceIndex = index.get(opts.plan.source)!;
  }

  /** Runs one batch of source messages (in arrival order) through the graph. */
  process(input: MessageBatch): StepResult {
    const n = input.count;
    const base = this.position;
    this.steps.clear();
    // Late check and frontier, message by message; the clock follows the event times.
    let late: Uint8Array | null = null;
    // The frontier is (ms, sub): lateness is whole ms, so it moves only the ms half.
    let fm = this.frontierMs;
    let fs = this.frontierSub;
    const lateness = this.allowedLatenessMs;
    for (let i = 0; i < n; i++) {
      const tm = input.physicalMs(i);
      const ts = input.physicalSub(i);
      if (tm < fm || (tm === fm && ts < fs)) {
        (late ??= new Uint8Array(n))[i] = 1;
        continue;
      }
      this.clock.observe(tm, ts, input.counter(i));
      const m = tm - lateness;
      if (m > fm || (m === fm && ts > fs)) {
        fm = m;
        fs = ts;
        this.steps.add(base + i, m, ts);
      }
    }
    this.position = base + n;
    this.frontierMs = fm;
    this.frontierSub = fs;
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
        origin[k] = input.physicalMs(i);
        k++;
      }
      accepted = keep.finish();
      lateBatch = drop.finish();
      this.lateMessages += lateBatch.count;
    } else {
      for (let i = 0; i < n; i++) {
        order[i] = 2 * (base + i);
        origin[i] = input.physicalMs(i);
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
    this.steps.clear();
    this.steps.add(this.position, INFINITE, 0);
    this.frontierMs = INFINITE;
    this.frontierSub = 0;
    return { ...this.run(), late: MessageBatch.EMPTY };
  }

  /** The frontier in whole ms (floored; ±Infinity: none yet / flushed), for status and metrics. */
  get frontier(): number {
    return this.frontierMs;
  }

  /** The frontier in ns, or null when not finite. */
  frontierNs(): bigint | null {
    return Number.isFinite(this.frontierMs) ? nsOf(this.frontierMs, this.frontierSub) : null;
  }

  stats(): OperationStats[] {
    return this.ops.map((o) => ({ ...o.stats }));
  }

  /** Messages held in accumulate/concatenate buffers, waiting for the frontier. */
  heldMessages(): number {
    let n = 0;
    for (const o of this.ops) if (o.buffer) n += o.buffer.size;
    return n;
  }

  /** Everything needed to continue exactly here: positions, frontier, clock, buffers, state. */
  snapshot(): Buffer {
    const operations = new Map<string, OperationSnapshot>();
    for (const o of this.ops) {
      const held: Held[] = [];
      o.buffer?.forEach((h) => held.push(h));
      operations.set(o.op.name, { recordsIn: o.stats.recordsIn, recordsOut: o.stats.recordsOut, held });
    }
    return encodeGraphSnapshot({
      position: this.position,
      seq: this.seq,
      frontierMs: this.frontierMs,
      frontierSub: this.frontierSub,
      lateMessages: this.lateMessages,
      clock: { physical: this.clock.physical, counter: this.clock.counter },
      state: this.state.snapshot(),
      operations,
    });
  }

  /** Drains every inbox in topological order; what reaches the sink is merged into its order. */
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

  /** One operation over its inbox: the chunks it emits, each with the operations it goes to. */
  private step(o: OpState, inbox: Chunk[]): [Chunk, number[]][] {
    const out: [Chunk, number[]][] = [];
    switch (o.op.type) {
      case 'map':
        for (const c of inbox) if (c.batch.count > 0) out.push([{ ...c, batch: o.instance!.map(c.batch) }, o.targets]);
        break;
      case 'filter':
        for (const c of inbox) {
          if (c.batch.count === 0) continue;
          out.push([selectChunk(c, o.instance!.decide(c.batch), 1), o.targets]);
        }
        break;
      case 'branch':
        for (const c of inbox) {
          if (c.batch.count === 0) continue;
          const d = o.instance!.decide(c.batch);
          out.push([selectChunk(c, d, 1), o.trueTargets]);
          out.push([selectChunk(c, d, 0), o.falseTargets]);
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
      case 'accumulate':
      case 'concatenate': {
        const buffer = o.buffer!;
        for (const c of inbox) {
          for (let i = 0; i < c.batch.count; i++) buffer.add({ bytes: Buffer.from(c.batch.message(i)), order: c.order[i], origin: c.origin[i] });
        }
        const released = buffer.release(this.steps);
        if (released) out.push([released, o.targets]);
        break;
      }
      default:
        throw new GraphOperatorError(o.op.name, 'abi', `has unsupported type ${o.op.type}`);
    }
    return out;
  }
}

export type { Hlc };
