// Entry point of a sandbox worker thread. Holds the module instances of the chains
// pinned to this worker and runs each message (one batch, or a run of whole batches)
// synchronously and in order, so the engine can stop a runaway module by terminating this thread.
import { parentPort, workerData, type Transferable } from 'node:worker_threads';
import { BATCH_FIRST_TIMESTAMP_AT, BATCH_HEADER_BYTES, batchEnd, countBatches, writeOutputBatch } from './batch_output.ts';
import { copyBytes } from './copy_bytes.ts';
import type { RecordMaxima } from './varint.ts';
import { ModuleInstance, SandboxFailure, type InstanceHooks } from './module_instance.ts';
import {
  STATUS_CHAIN,
  STATUS_MODULE,
  STATUS_SEQ,
  STATUS_START_F64_INDEX,
  type BatchesReply,
  type BatchesRequest,
  type CreateRequest,
  type DoneReply,
  type ErrorPayload,
  type LookBackRequest,
  type ProcessRequest,
  type WorkerData,
  type WorkerReply,
  type WorkerRequest,
} from './worker_protocol.ts';

const port = parentPort!;
const { status } = workerData as WorkerData;
const statusI32 = new Int32Array(status, 0, 3);
const statusF64 = new Float64Array(status);

interface Chain {
  id: number;
  modules: ModuleInstance[];
  slots: Map<number, SharedArrayBuffer>;
  failed: ErrorPayload | null;
}

const chains = new Map<number, Chain>();

function post(msg: WorkerReply, transfer?: Transferable[]): void {
  port.postMessage(msg, transfer ?? []);
}

function hooksFor(chainId: number): InstanceHooks {
  return {
    enter(module) {
      statusF64[STATUS_START_F64_INDEX] = Date.now();
      Atomics.store(statusI32, STATUS_CHAIN, chainId);
      Atomics.store(statusI32, STATUS_MODULE, module);
      Atomics.add(statusI32, STATUS_SEQ, 1);
    },
    leave() {
      Atomics.store(statusI32, STATUS_CHAIN, 0);
      Atomics.add(statusI32, STATUS_SEQ, 1);
    },
    log(module, fd, text) {
      post({ t: 'log', chain: chainId, module, fd, text });
    },
  };
}

function failurePayload(err: unknown, module: number): ErrorPayload {
  if (err instanceof SandboxFailure) return err.payload;
  return { type: 'trap', module, detail: `host error: ${err instanceof Error ? err.message : String(err)}` };
}

function closeChain(chain: Chain): void {
  for (const m of chain.modules) m.close();
  chain.modules = [];
  chain.slots.clear();
}

function create(msg: CreateRequest): void {
  const hooks = hooksFor(msg.chain);
  const chain: Chain = { id: msg.chain, modules: [], slots: new Map(), failed: null };
  try {
    msg.modules.forEach((setup, i) => {
      const instance = new ModuleInstance(i, setup, msg.memoryLimitBytes, hooks);
      chain.modules.push(instance);
      instance.init();
    });
  } catch (err) {
    closeChain(chain);
    post({ t: 'fail', req: msg.req, error: failurePayload(err, chain.modules.length) });
    return;
  }
  chains.set(msg.chain, chain);
  post({ t: 'ok', req: msg.req });
}

function lookBack(msg: LookBackRequest): void {
  const chain = chains.get(msg.chain);
  if (!chain) return post({ t: 'fail', req: msg.req, error: { type: 'trap', module: 0, detail: 'chain is not loaded in its worker' } });
  if (chain.failed) return post({ t: 'fail', req: msg.req, error: chain.failed });
  let current = 0;
  try {
    for (const input of msg.inputs) {
      current = input.module;
      chain.modules[input.module].lookBack(input.records, input.baseOffset, input.baseTimestamp);
    }
  } catch (err) {
    const error = failurePayload(err, current);
    // a look-back error is an answer, not a broken instance; anything else poisons the chain
    if (error.type !== 'lookback') fail(chain, error);
    return post({ t: 'fail', req: msg.req, error });
  }
  post({ t: 'ok', req: msg.req });
}

function fail(chain: Chain, error: ErrorPayload): void {
  chain.failed = error;
  closeChain(chain);
}

/** What a chain made of one records section. `records` is a view into guest memory (valid until the chain's next call). */
interface ChainOutput {
  records: Uint8Array;
  count: number;
  /** Largest deltas among `records` (from the last module's output). */
  maxima: RecordMaxima;
  error: DoneReply['error'];
}

/** Runs one records section through the chain's modules; throws SandboxFailure (or a host error) when the chain dies. */
function runChain(chain: Chain, input: Uint8Array, baseOffset: bigint, baseTimestamp: bigint, at: { module: number }): ChainOutput {
  let records = input;
  let count = 0;
  let error: DoneReply['error'];
  for (const m of chain.modules) {
    at.module = m.index;
    const out = m.process(records, baseOffset, baseTimestamp);
    records = out.recordsEnd > out.recordsStart ? m.view(out.recordsStart, out.recordsEnd) : EMPTY_SECTION;
    count = out.count;
    maxima.maxTimestampDelta = out.maxTimestampDelta;
    maxima.maxOffsetDelta = out.maxOffsetDelta;
    // A module that fails still returns the records before the failing one; they go on
    // through the rest of the chain. A later module's error is at an earlier record, so it wins.
    if (out.error) error = { module: m.index, fields: out.error };
  }
  return { records, count, maxima, error };
}

const maxima: RecordMaxima = { maxTimestampDelta: 0, maxOffsetDelta: -1 };

function accumulatorsOf(chain: Chain): Array<[number, Uint8Array]> | undefined {
  let acc: Array<[number, Uint8Array]> | undefined;
  for (const m of chain.modules) {
    if (m.accumulator !== null) (acc ??= []).push([m.index, m.accumulator]);
  }
  return acc;
}

/** The chain to run a request on, or undefined after replying with why there is none. */
function runnable(chainId: number, req: number): Chain | undefined {
  const chain = chains.get(chainId);
  if (!chain) {
    post({ t: 'fail', req, error: { type: 'trap', module: 0, detail: 'chain is not loaded in its worker' } });
    return undefined;
  }
  if (chain.failed) {
    post({ t: 'fail', req, error: chain.failed });
    return undefined;
  }
  return chain;
}

const current = { module: 0 };

function process(msg: ProcessRequest): void {
  const chain = runnable(msg.chain, msg.req);
  if (!chain) return;
  if (msg.sab) chain.slots.set(msg.slot, msg.sab);
  let sab = chain.slots.get(msg.slot)!;

  let out: ChainOutput;
  current.module = 0;
  try {
    out = runChain(chain, new Uint8Array(sab, 0, msg.len), msg.baseOffset, msg.baseTimestamp, current);
  } catch (err) {
    const payload = failurePayload(err, current.module);
    fail(chain, payload);
    return post({ t: 'fail', req: msg.req, error: payload });
  }
  const { records, count, error } = out;

  let grown: SharedArrayBuffer | undefined;
  if (records.length > sab.byteLength) {
    grown = new SharedArrayBuffer(Math.max(records.length, sab.byteLength * 2));
    chain.slots.set(msg.slot, grown);
    sab = grown;
  }
  copyBytes(records, new Uint8Array(sab, 0, records.length), 0);
  const reply: DoneReply = { t: 'done', req: msg.req, len: records.length, count };
  if (error) reply.error = error;
  if (grown) reply.sab = grown;
  const accumulators = accumulatorsOf(chain);
  if (accumulators) reply.accumulators = accumulators;
  post(reply);
}

/**
 * Where a 'batches' call writes its output: straight into the host's output buffer (shared, so
 * nothing is copied or allocated to hand it back), or, once that is full, into a scratch buffer
 * that is copied into a fresh ArrayBuffer and transferred.
 */
class OutputSink {
  u8: Uint8Array<ArrayBufferLike> = new Uint8Array(0);
  dv: DataView<ArrayBufferLike> = new DataView(this.u8.buffer);
  len = 0;
  shared = true;

  reset(sab: SharedArrayBuffer): void {
    this.u8 = new Uint8Array(sab);
    this.dv = new DataView(sab);
    this.len = 0;
    this.shared = true;
  }

  reserve(more: number): void {
    const need = this.len + more;
    if (need <= this.u8.length) return;
    if (this.shared || need > scratch.length) {
      const bigger = new Uint8Array(Math.max(need, scratch.length * 2));
      copyBytes(this.u8.subarray(0, this.len), bigger, 0);
      scratch = bigger;
    } else {
      copyBytes(this.u8.subarray(0, this.len), scratch, 0);
    }
    this.u8 = scratch;
    this.dv = new DataView(scratch.buffer);
    this.shared = false;
  }

  /** The output when it did not fit the host's buffer (a copy the host can own), else null. */
  spilled(): ArrayBuffer | null {
    if (this.shared) return null;
    const copy = this.u8.slice(0, this.len).buffer;
    if (scratch.length > MAX_KEPT_SCRATCH_BYTES) scratch = new Uint8Array(0);
    return copy;
  }
}

const MAX_KEPT_SCRATCH_BYTES = 16 << 20;
let scratch = new Uint8Array(0);
const sink = new OutputSink();

function batches(msg: BatchesRequest): void {
  const chain = runnable(msg.chain, msg.req);
  if (!chain) return;
  if (msg.sab) chain.slots.set(msg.slot, msg.sab);
  const sab = chain.slots.get(msg.slot)!;
  const input = new Uint8Array(sab, 0, msg.len);
  const inDv = new DataView(sab, 0, msg.len);
  sink.reset(msg.out);

  const ends = new Int32Array(countBatches(input, msg.len));
  let processed = 0;
  let total = 0;
  let error: DoneReply['error'];
  current.module = 0;
  try {
    for (let at = 0; at < msg.len && !error; ) {
      const end = batchEnd(inDv, at);
      const section = input.subarray(at + BATCH_HEADER_BYTES, end);
      const out = runChain(chain, section, inDv.getBigInt64(at), inDv.getBigInt64(at + BATCH_FIRST_TIMESTAMP_AT), current);
      if (out.count > 0) {
        sink.reserve(BATCH_HEADER_BYTES + out.records.length);
        sink.len = writeOutputBatch(sink.u8, sink.dv, sink.len, input, inDv, at, out.records, out.maxima);
        total += out.count;
      }
      ends[processed++] = sink.len;
      error = out.error;
      at = end;
    }
  } catch (err) {
    const payload = failurePayload(err, current.module);
    fail(chain, payload);
    return post({ t: 'fail', req: msg.req, error: payload });
  }

  const spilled = sink.spilled();
  const reply: BatchesReply = { t: 'batches-done', req: msg.req, len: sink.len, spilled, count: total, ends: processed < ends.length ? ends.slice(0, processed) : ends };
  sink.reset(EMPTY_SAB);
  if (error) reply.error = error;
  const accumulators = accumulatorsOf(chain);
  if (accumulators) reply.accumulators = accumulators;
  post(reply, spilled ? [spilled] : undefined);
}

const EMPTY_SAB = new SharedArrayBuffer(0);
const EMPTY_SECTION = new Uint8Array(4);

port.on('message', (msg: WorkerRequest) => {
  switch (msg.t) {
    case 'batches':
      return batches(msg);
    case 'process':
      return process(msg);
    case 'create':
      return create(msg);
    case 'lookback':
      return lookBack(msg);
    case 'drop': {
      const chain = chains.get(msg.chain);
      if (chain) closeChain(chain);
      chains.delete(msg.chain);
      return;
    }
  }
});
