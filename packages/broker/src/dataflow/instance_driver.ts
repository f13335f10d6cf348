/**
 * Drives one graph instance (one source partition) from the main thread: reads its source
 * partitions, hands the batches to the instance's worker, appends what reaches the sink, and
 * checkpoints.
 *
 * Exactly once within Eddy. The worker numbers sink outputs (seq) and the sink batches carry
 * the instance's producer id and the first seq, as Kafka's idempotent producer does; late
 * messages are numbered the same way under a second producer id (their seq is the instance's
 * lateMessages count). A checkpoint (source positions, both seqs, the instance snapshot with its
 * state store, buffers and per-operation counts) is written after the appends it covers are
 * acknowledged: after the first output write of each life, then every checkpointIntervalMs, and
 * at a clean stop. After a crash the instance restarts from its checkpoint, scans the sink and
 * the late topic past it for its own batches to learn the highest seq that made it, and replays:
 * processing is deterministic, so the replayed outputs are the same messages with the same
 * numbers, and those already written are not written again.
 */
import { Worker } from 'node:worker_threads';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { batchRecordCount, forEachBatch } from '@eddy/protocol';
import { batchProducerId } from '@eddy/protocol/internal';
import type { GraphPlan, OperationStats } from '@eddy/dataflow';
import type { MetricUpdate } from '@eddy/dataflow/internal';
import type { PartitionLeader } from '../spu/partition_leader.ts';
import { writeFileAtomic } from '../util/atomic_write.ts';
import type { WorkerReply, WorkerRequest, StepInput } from './worker_messages.ts';

const WORKER_URL = new URL(`./graph_worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url);
const SEQ_MOD = 2 ** 31;
/** Old-generation cap per graph worker; a busy instance uses 7-16 MB of JS heap. */
const GRAPH_WORKER_HEAP_MB = 256;

export interface InstanceSource {
  topic: string;
  leader: PartitionLeader;
}

export interface InstanceDriverOptions {
  graph: string;
  /** Fingerprint of the graph's spec: a checkpoint of another spec is not resumed. */
  fingerprint: string;
  partition: number;
  plan: GraphPlan;
  modules: [string, Uint8Array][];
  sources: InstanceSource[];
  sink: PartitionLeader;
  late: PartitionLeader | null;
  allowedLatenessMs: number;
  state: Record<string, string>;
  dir: string;
  logger: Logger;
  checkpointIntervalMs: number;
  /** Longest a worker may spend on one step before the graph is failed. */
  stepBudgetMs: number;
  maxMemoryBytes: number;
  maxReadBytes: number;
  onMetrics(operation: string, updates: MetricUpdate[]): void;
  onFailed(driver: InstanceDriver, message: string): void;
}

interface Checkpoint {
  v: 1;
  fingerprint: string;
  positions: Record<string, number>;
  seq: number;
  /** Where to start scanning the sink for this instance's batches written after the checkpoint. */
  sinkScanFrom: number;
  /** Late messages numbered so far, and where to scan the late topic (absent in older checkpoints). */
  lateSeq?: number;
  lateScanFrom?: number;
  snapshot: string;
  writtenMs: number;
}

export type InstanceState = 'starting' | 'running' | 'failed' | 'stopped';

export class InstanceDriver {
  readonly partition: number;
  state: InstanceState = 'starting';
  error: string | undefined;
  positions = new Map<string, number>();
  frontier: number | null = null;
  lateMessages = 0;
  checkpointMs: number | null = null;
  stats: OperationStats[] = [];
  private readonly opts: InstanceDriverOptions;
  private worker: Worker | null = null;
  private stopped = false;
  private wake: (() => void) | null = null;
  private unsubscribe: (() => void)[] = [];
  private pending = new Map<number, { resolve: (r: WorkerReply) => void; reject: (e: Error) => void }>();
  private nextId = 1;
  private loop: Promise<void> | null = null;
  private readonly producerId: number;
  private readonly lateProducerId: number;
  private seq = 0;
  private lastCheckpoint = 0;
  /** Whether this life has written a checkpoint yet (the first follows its first output write). */
  private checkpointedThisLife = false;
  /** Steps ran since the last checkpoint (an idle instance does not rewrite the same one). */
  private dirty = false;

  constructor(opts: InstanceDriverOptions) {
    this.opts = opts;
    this.partition = opts.partition;
    this.producerId = producerIdOf(opts.graph, opts.partition);
    this.lateProducerId = producerIdOf(`${opts.graph}\u0000late`, opts.partition);
  }

  private get checkpointFile(): string {
    return join(this.opts.dir, `instance-${this.partition}.checkpoint.json`);
  }

  start(): void {
    this.loop = this.run().catch((err: Error) => this.fail(err.message ?? String(err)));
  }

  private async run(): Promise<void> {
    const o = this.opts;
    await mkdir(o.dir, { recursive: true });
    const ckpt = await this.readCheckpoint();
    for (const s of o.sources) this.positions.set(s.topic, Math.max(ckpt?.positions[s.topic] ?? 0, s.leader.log.logStartOffset));
    // What this instance already wrote after its checkpoint: those outputs are not sent again.
    const seqAtCheckpoint = ckpt?.seq ?? 0;
    const written = await highestWrittenSeq(o.sink, this.producerId, ckpt?.sinkScanFrom ?? 0, seqAtCheckpoint);
    this.seq = written;
    const lateWritten = o.late ? await highestWrittenSeq(o.late, this.lateProducerId, ckpt?.lateScanFrom ?? 0, ckpt?.lateSeq ?? 0) : 0;
    // The worker's JS heap is capped: a module's host-side garbage cannot grow the broker without
    // bound (past the cap the worker ends with ERR_WORKER_OUT_OF_MEMORY and the graph fails).
    this.worker = new Worker(WORKER_URL, { name: `graph ${o.graph}/${o.partition}`, resourceLimits: { maxOldGenerationSizeMb: GRAPH_WORKER_HEAP_MB } });
    this.worker.on('message', (m: WorkerReply) => this.onReply(m));
    this.worker.on('error', (err) => this.fail(`worker failed: ${err.message}`));
    this.worker.on('exit', (code) => {
      if (!this.stopped && this.state !== 'failed') this.fail(`worker exited with code ${code}`);
    });
    const ready = await this.request({
      type: 'init',
      plan: o.plan,
      modules: o.modules,
      maxMemoryBytes: o.maxMemoryBytes,
      node: o.partition,
      allowedLatenessMs: o.allowedLatenessMs,
      state: o.state,
      snapshot: ckpt ? Buffer.from(ckpt.snapshot, 'base64') : null,
      producerId: this.producerId,
      suppressBelow: written,
      lateProducerId: this.lateProducerId,
      lateSuppressBelow: lateWritten,
    }, 0);
    if (ready.type !== 'ready') return;
    // Status shows the checkpoint's totals before any new input arrives.
    this.frontier = ready.frontier;
    this.lateMessages = ready.lateMessages;
    this.stats = ready.stats;
    for (const s of o.sources) this.unsubscribe.push(s.leader.log.onAppend(() => this.poke()));
    this.state = 'running';
    this.lastCheckpoint = Date.now();
    o.logger.info({
      graph: o.graph, partition: o.partition, positions: Object.fromEntries(this.positions), seq: ready.seq,
      alreadyInSink: written - ready.seq, alreadyInLate: lateWritten - ready.lateMessages,
    }, 'graph instance started');
    while (!this.stopped) {
      const inputs = await this.readInputs();
      if (this.stopped) break;
      if (inputs.length === 0) {
        if (this.dirty && Date.now() - this.lastCheckpoint >= o.checkpointIntervalMs) await this.checkpoint();
        await this.idle(o.checkpointIntervalMs);
        continue;
      }
      const wrote = await this.step(inputs);
      // The first write of a life is checkpointed at once: a crash loop whose lives are shorter
      // than the interval would otherwise replay from the same old checkpoint every time.
      if ((wrote && !this.checkpointedThisLife) || Date.now() - this.lastCheckpoint >= o.checkpointIntervalMs) await this.checkpoint();
    }
  }

  /** One round: up to maxReadBytes from each source partition, in a fixed order. */
  private async readInputs(): Promise<{ input: StepInput; next: number; release: () => void }[]> {
    const out: { input: StepInput; next: number; release: () => void }[] = [];
    for (const s of this.opts.sources) {
      let from = this.positions.get(s.topic)!;
      if (from < s.leader.log.logStartOffset) {
        // Retention removed records the graph had not read yet: they are gone; go on after them.
        this.opts.logger.warn({ graph: this.opts.graph, partition: this.partition, topic: s.topic, from, logStart: s.leader.log.logStartOffset }, 'graph source fell behind retention: skipping deleted records');
        from = s.leader.log.logStartOffset;
        this.positions.set(s.topic, from);
      }
      if (from >= s.leader.log.highWatermark) continue;
      const r = await s.leader.log.read(from, this.opts.maxReadBytes);
      if (r.data.length === 0) continue;
      out.push({ input: { topic: s.topic, batches: r.data, fromOffset: from }, next: r.nextOffset, release: r.release });
    }
    return out;
  }

  /** Runs one step; true when it appended to the sink or the late topic. */
  private async step(inputs: { input: StepInput; next: number; release: () => void }[]): Promise<boolean> {
    const o = this.opts;
    const r = await this.request({ type: 'step', id: this.nextId++, inputs: inputs.map((i) => i.input), wantLate: o.late !== null }, o.stepBudgetMs);
    for (const i of inputs) i.release();
    if (r.type !== 'result') return false;
    this.dirty = true;
    // Steps run one at a time, so at a checkpoint every output it counts is in the sink.
    if (r.sink) await o.sink.append(Buffer.from(r.sink.buffer, r.sink.byteOffset, r.sink.byteLength), false);
    if (r.late && o.late) await o.late.append(Buffer.from(r.late.buffer, r.late.byteOffset, r.late.byteLength), false);
    for (const i of inputs) this.positions.set(i.input.topic, i.next);
    this.seq = r.seq;
    this.frontier = r.frontier;
    this.lateMessages = r.lateMessages;
    this.stats = r.stats;
    this.deliver(r.metrics, r.logs);
    return r.sink !== null || (r.late !== null && o.late !== null);
  }

  private async checkpoint(): Promise<void> {
    const o = this.opts;
    const r = await this.request({ type: 'snapshot', id: this.nextId++ }, o.stepBudgetMs);
    if (r.type !== 'snapshot') return;
    const c: Checkpoint = {
      v: 1,
      fingerprint: o.fingerprint,
      positions: Object.fromEntries(this.positions),
      seq: r.seq,
      // Outputs after this checkpoint are appended from the current end on.
      sinkScanFrom: o.sink.log.highWatermark,
      lateSeq: r.lateMessages,
      lateScanFrom: o.late?.log.highWatermark ?? 0,
      snapshot: Buffer.from(r.bytes).toString('base64'),
      writtenMs: Date.now(),
    };
    await writeFileAtomic(this.checkpointFile, JSON.stringify(c));
    this.lastCheckpoint = Date.now();
    this.checkpointedThisLife = true;
    this.dirty = false;
    this.checkpointMs = c.writtenMs;
  }

  private async readCheckpoint(): Promise<Checkpoint | null> {
    let text: string;
    try {
      text = await readFile(this.checkpointFile, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
    const c = JSON.parse(text) as Checkpoint;
    if (c.v !== 1 || c.fingerprint !== this.opts.fingerprint) {
      this.opts.logger.warn({ graph: this.opts.graph, partition: this.partition }, 'graph changed since its checkpoint: starting over from the beginning of its sources');
      return null;
    }
    this.checkpointMs = c.writtenMs;
    return c;
  }

  private deliver(metrics: [string, MetricUpdate[]][], logs: { operation: string; level: number; message: string }[]): void {
    const o = this.opts;
    for (const [operation, updates] of metrics) o.onMetrics(operation, updates);
    for (const l of logs) {
      const child = o.logger.child({ graph: o.graph, operation: l.operation, partition: o.partition });
      const level = (['trace', 'debug', 'info', 'warn', 'error'] as const)[Math.min(4, Math.max(0, l.level))];
      child[level](l.message);
    }
  }

  private onReply(m: WorkerReply): void {
    if (m.type === 'failed') {
      this.deliver(m.metrics, m.logs);
      this.fail(m.message);
      return;
    }
    const id = m.type === 'ready' ? 0 : m.id;
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    p.resolve(m);
  }

  private request(req: WorkerRequest, budgetMs: number): Promise<WorkerReply> {
    const id = req.type === 'init' ? 0 : req.id;
    return new Promise<WorkerReply>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        this.fail(`a step ran past its time budget of ${budgetMs} ms (a module loops or is too slow)`);
        reject(new Error('time budget'));
      }, budgetMs > 0 ? budgetMs : 120_000);
      this.pending.set(id, {
        resolve: (r) => {
          clearTimeout(timer);
          resolve(r);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.worker!.postMessage(req);
    });
  }

  private fail(message: string): void {
    if (this.state === 'failed' || this.stopped) return;
    this.state = 'failed';
    this.error = message;
    this.opts.logger.error({ graph: this.opts.graph, partition: this.partition, err: message }, 'graph instance failed');
    for (const p of this.pending.values()) p.reject(new Error(message));
    this.pending.clear();
    this.halt();
    this.opts.onFailed(this, message);
  }

  private poke(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  private idle(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.wake = null;
        resolve();
      }, ms);
      this.wake = () => {
        clearTimeout(t);
        resolve();
      };
    });
  }

  private halt(): void {
    this.stopped = true;
    for (const u of this.unsubscribe) u();
    this.unsubscribe = [];
    this.poke();
    const w = this.worker;
    this.worker = null;
    void w?.terminate();
  }

  /** Stops reading, checkpoints what was processed (unless failed), and ends the worker. */
  async stop(checkpoint = true): Promise<void> {
    if (this.state === 'failed' || this.state === 'stopped') {
      this.halt();
      return;
    }
    this.stopped = true;
    this.poke();
    await this.loop?.catch(() => {});
    if (checkpoint && this.state === 'running' && this.worker) {
      try {
        await this.checkpoint();
      } catch (err) {
        this.opts.logger.warn({ graph: this.opts.graph, partition: this.partition, err: String(err) }, 'graph checkpoint at stop failed');
      }
    }
    this.state = 'stopped';
    this.halt();
  }
}

/** A stable producer id per graph instance (positive, 47 bits). */
export function producerIdOf(graph: string, partition: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < graph.length; i++) h = Math.imul(h ^ graph.charCodeAt(i), 0x01000193) >>> 0;
  return (h % 0x7fffffff) * 0x10000 + (partition & 0xffff) + 1;
}

/**
 * Highest seq (+1) that `producerId` has in `leader`'s log at or after `from`, or `seqAtCheckpoint`
 * when none: batches carry seq mod 2^31, so each is read as the next such seq at or after it.
 */
async function highestWrittenSeq(leader: PartitionLeader, producerId: number, from: number, seqAtCheckpoint: number): Promise<number> {
  const log = leader.log;
  let offset = Math.max(from, log.logStartOffset);
  let next = seqAtCheckpoint;
  while (offset < log.highWatermark) {
    const r = await log.read(offset, 1 << 20);
    if (r.data.length === 0) break;
    forEachBatch(r.data, (pos) => {
      if (batchProducerId(r.data, pos) !== producerId) return;
      const first = r.data.readInt32BE(pos + 53);
      const delta = (((first - (seqAtCheckpoint % SEQ_MOD)) % SEQ_MOD) + SEQ_MOD) % SEQ_MOD;
      const end = seqAtCheckpoint + delta + batchRecordCount(r.data, pos);
      if (end > next) next = end;
    });
    r.release();
    offset = r.nextOffset;
  }
  return next;
}
