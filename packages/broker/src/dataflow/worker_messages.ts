/** Messages between a graph instance's driver (main thread) and its worker (graph_worker.ts). */
import type { GraphPlan, OperationStats } from '@eddy/dataflow';
import type { MetricUpdate } from '@eddy/dataflow/internal';

export interface StepInput {
  topic: string;
  /** Whole stored record batches; records before fromOffset are skipped. */
  batches: Uint8Array;
  fromOffset: number;
}

export interface LogLine {
  operation: string;
  level: number;
  message: string;
}

export type WorkerRequest =
  | {
      type: 'init';
      plan: GraphPlan;
      modules: [ref: string, wasm: Uint8Array][];
      maxMemoryBytes: number;
      node: number;
      allowedLatenessMs: number;
      state: Record<string, string>;
      snapshot: Uint8Array | null;
      producerId: number;
      suppressBelow: number;
      /** The late topic's own numbering: its producer id, and late outputs already there. */
      lateProducerId: number;
      lateSuppressBelow: number;
    }
  | { type: 'step'; id: number; inputs: StepInput[]; wantLate: boolean }
  | { type: 'snapshot'; id: number };

export type WorkerReply =
  | {
      type: 'ready';
      position: number;
      seq: number;
      /** What the checkpoint carried, so status shows the totals from before a restart at once. */
      frontier: number | null;
      lateMessages: number;
      stats: OperationStats[];
    }
  | {
      type: 'result';
      id: number;
      /** One record batch for the sink (null when nothing new reached it). */
      sink: Buffer | null;
      sinkCount: number;
      /** Outputs numbered so far (after this step). */
      seq: number;
      late: Buffer | null;
      position: number;
      frontier: number | null;
      lateMessages: number;
      stats: OperationStats[];
      /** Module metrics by operation. */
      metrics: [string, MetricUpdate[]][];
      logs: LogLine[];
    }
  | { type: 'snapshot'; id: number; bytes: Uint8Array; seq: number; position: number; lateMessages: number }
  | { type: 'failed'; message: string; metrics: [string, MetricUpdate[]][]; logs: LogLine[] };
