/**
 * Worker thread of one graph instance: owns its WebAssembly operators and its GraphInstance.
 * The main thread sends raw record batches read from the source partitions and gets back one
 * sink record batch per step (already numbered for the idempotent sink), so the worker never
 * touches files or sockets.
 */
import { parentPort } from 'node:worker_threads';
import {
  GraphInstance, MessageBatch, MessageBatchBuilder, compileOperatorModule,
  type CompiledOperatorModule,
} from '@eddy/dataflow';
import {
  MetricUpdates, decodeMetricLabels, appendRecordMessages, recordBatchFromMessages,
} from '@eddy/dataflow/internal';
import type { WorkerRequest, WorkerReply, StepInput, LogLine } from './worker_messages.ts';

const port = parentPort;
if (!port) throw new Error('graph_worker.ts runs as a worker thread');

let instance: GraphInstance | null = null;
let producerId = 0;
/** Outputs numbered below this already reached the sink before a restart: not sent again. */
let suppressBelow = 0;
/** Late messages are numbered by the instance's lateMessages count, under their own producer id. */
let lateProducerId = 0;
let lateSuppressBelow = 0;
/** Module metrics per operation, drained into every reply. */
const metrics = new Map<string, MetricUpdates>();
let logs: LogLine[] = [];

function reply(msg: WorkerReply, transfer: ArrayBuffer[] = []): void {
  port!.postMessage(msg, transfer);
}

function drainExtras(): { metrics: [string, ReturnType<MetricUpdates['drain']>][]; logs: LogLine[] } {
  const drained: [string, ReturnType<MetricUpdates['drain']>][] = [];
  for (const [op, m] of metrics) if (m.pending > 0) drained.push([op, m.drain()]);
  const out = { metrics: drained, logs };
  logs = [];
  return out;
}

port.on('message', (req: WorkerRequest) => {
  try {
    switch (req.type) {
      case 'init': {
        const modules = new Map<string, CompiledOperatorModule>();
        for (const [ref, wasm] of req.modules) modules.set(ref, compileOperatorModule(ref, wasm, req.maxMemoryBytes));
        producerId = req.producerId;
        suppressBelow = req.suppressBelow;
        lateProducerId = req.lateProducerId;
        lateSuppressBelow = req.lateSuppressBelow;
        instance = new GraphInstance({
          plan: req.plan,
          modules,
          node: req.node,
          allowedLatenessMs: req.allowedLatenessMs,
          state: req.state,
          snapshot: req.snapshot ?? undefined,
          log: (operation, level, message) => {
            if (logs.length < 1000) logs.push({ operation, level, message });
          },
          metric: (operation, kind, name, labels, value) => {
            try {
              let m = metrics.get(operation);
              if (!m) metrics.set(operation, (m = new MetricUpdates()));
              const decoded = labels.length > 0 ? decodeMetricLabels(labels) : {};
              if (kind === 'counter') m.counter(name, decoded, value);
              else m.histogram(name, decoded, value);
            } catch (err) {
              if (logs.length < 1000) logs.push({ operation, level: 3, message: (err as Error).message });
            }
          },
        });
        reply({
          type: 'ready',
          position: instance.position,
          seq: instance.seq,
          frontier: Number.isFinite(instance.frontier) ? instance.frontier : null,
          lateMessages: instance.lateMessages,
          stats: instance.stats(),
        });
        break;
      }
      case 'step': {
        const g = instance!;
        const input = messagesOf(req.inputs, g.node);
        const r = g.process(input);
        const out = unsent(r.output, r.firstSeq, suppressBelow);
        const sink = out.batch.count > 0 ? join(recordBatchFromMessages(out.batch, { producerId, firstSequence: out.firstSeq % 2 ** 31 })) : null;
        let late: Buffer | null = null;
        if (req.wantLate && r.late.count > 0) {
          // The step's late messages are the last r.late.count counted in lateMessages.
          const lateOut = unsent(r.late, g.lateMessages - r.late.count, lateSuppressBelow);
          if (lateOut.batch.count > 0) late = join(recordBatchFromMessages(lateOut.batch, { producerId: lateProducerId, firstSequence: lateOut.firstSeq % 2 ** 31 }));
        }
        const transfer: ArrayBuffer[] = [];
        if (sink) transfer.push(sink.buffer as ArrayBuffer);
        if (late) transfer.push(late.buffer as ArrayBuffer);
        reply({
          type: 'result',
          id: req.id,
          sink,
          sinkCount: out.batch.count,
          seq: g.seq,
          late,
          position: g.position,
          frontier: Number.isFinite(g.frontier) ? g.frontier : null,
          lateMessages: g.lateMessages,
          stats: g.stats(),
          ...drainExtras(),
        }, transfer);
        break;
      }
      case 'snapshot': {
        const bytes = instance!.snapshot();
        reply({ type: 'snapshot', id: req.id, bytes, seq: instance!.seq, position: instance!.position, lateMessages: instance!.lateMessages });
        break;
      }
    }
  } catch (err) {
    const e = err as Error;
    reply({ type: 'failed', message: e.message ?? String(e), ...drainExtras() });
  }
});

function messagesOf(inputs: StepInput[], node: number): MessageBatch {
  let bytes = 0;
  for (const i of inputs) bytes += i.batches.byteLength;
  // One batch for all sources of the step, in the order the driver read them.
  const b = new MessageBatchBuilder(bytes * 2 + 4096);
  for (const i of inputs) appendRecordMessages(b, Buffer.from(i.batches.buffer, i.batches.byteOffset, i.batches.byteLength), i.fromOffset, i.topic, node);
  return b.finish();
}

/** The part of a step's output not yet written (after a restart, replayed outputs are skipped). */
function unsent(batch: MessageBatch, firstSeq: number, below: number): { batch: MessageBatch; firstSeq: number } {
  if (firstSeq >= below) return { batch, firstSeq };
  const skip = Math.min(batch.count, below - firstSeq);
  if (skip === batch.count) return { batch: MessageBatch.EMPTY, firstSeq: firstSeq + skip };
  const b = new MessageBatchBuilder(batch.bytes.length);
  for (let i = skip; i < batch.count; i++) b.appendFrom(batch, i);
  return { batch: b.finish(), firstSeq: firstSeq + skip };
}

/** The record batch as one Buffer that owns its ArrayBuffer, so it can be transferred. */
function join(parts: Buffer[]): Buffer {
  if (parts.length === 1 && parts[0].byteOffset === 0 && parts[0].length === parts[0].buffer.byteLength) return parts[0];
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = Buffer.alloc(total);
  let pos = 0;
  for (const p of parts) pos += p.copy(out, pos);
  return out;
}

