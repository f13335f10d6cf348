// Entry point of a sandbox worker thread. Holds the module instances of the chains
// pinned to this worker and runs one batch per message, synchronously and in order,
// so the engine can stop a runaway module by terminating this thread.
import { parentPort, workerData, type Transferable } from 'node:worker_threads';
import { ModuleInstance, SandboxFailure, type InstanceHooks } from './module-instance.ts';
import {
  STATUS_CHAIN,
  STATUS_MODULE,
  STATUS_SEQ,
  STATUS_START_F64_INDEX,
  type CreateRequest,
  type DoneReply,
  type ErrorPayload,
  type LookBackRequest,
  type ProcessRequest,
  type WorkerData,
  type WorkerReply,
  type WorkerRequest,
} from './worker-protocol.ts';

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

function process(msg: ProcessRequest): void {
  const chain = chains.get(msg.chain);
  if (!chain) return post({ t: 'fail', req: msg.req, error: { type: 'trap', module: 0, detail: 'chain is not loaded in its worker' } });
  if (chain.failed) return post({ t: 'fail', req: msg.req, error: chain.failed });
  if (msg.sab) chain.slots.set(msg.slot, msg.sab);
  let sab = chain.slots.get(msg.slot)!;

  let records: Uint8Array = new Uint8Array(sab, 0, msg.len);
  let count = 0;
  let error: DoneReply['error'];
  let current = 0;
  try {
    for (const m of chain.modules) {
      current = m.index;
      const out = m.process(records, msg.baseOffset, msg.baseTimestamp);
      records = out.recordsEnd > out.recordsStart ? m.view(out.recordsStart, out.recordsEnd) : EMPTY_SECTION;
      count = out.count;
      // A module that fails still returns the records before the failing one; they go on
      // through the rest of the chain. A later module's error is at an earlier record, so it wins.
      if (out.error) error = { module: m.index, fields: out.error };
    }
  } catch (err) {
    const payload = failurePayload(err, current);
    fail(chain, payload);
    return post({ t: 'fail', req: msg.req, error: payload });
  }

  let grown: SharedArrayBuffer | undefined;
  if (records.length > sab.byteLength) {
    grown = new SharedArrayBuffer(Math.max(records.length, sab.byteLength * 2));
    chain.slots.set(msg.slot, grown);
    sab = grown;
  }
  new Uint8Array(sab, 0, records.length).set(records);
  const reply: DoneReply = { t: 'done', req: msg.req, len: records.length, count };
  if (error) reply.error = error;
  if (grown) reply.sab = grown;
  for (const m of chain.modules) {
    if (m.accumulator !== null) (reply.accumulators ??= []).push([m.index, m.accumulator]);
  }
  post(reply);
}

const EMPTY_SECTION = new Uint8Array(4);

port.on('message', (msg: WorkerRequest) => {
  switch (msg.t) {
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
