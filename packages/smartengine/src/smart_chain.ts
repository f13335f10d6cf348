// A chain of SmartModule instances pinned to one sandbox worker: one per stream.
// Input is copied into a SharedArrayBuffer slot and processed with one message round
// trip: per records section (process) or per run of whole batches (processBatches, whose
// output batches the worker writes into a pooled output buffer). Two slots let the next
// call be queued while one runs.
import {
  SmartModuleAbiError,
  SmartModuleClosedError,
  SmartModuleError,
  SmartModuleInitError,
  SmartModuleLoadError,
  SmartModuleLookBackError,
  SmartModuleMemoryError,
  SmartModuleRuntimeError,
  SmartModuleTrapError,
} from './errors.ts';
import { BATCH_HEADER_BYTES, batchEnd, countBatches, scanPreambles, writeOutputBatch } from './batch_output.ts';
import { copyBytes } from './copy_bytes.ts';
import { OutputPool } from './output_pool.ts';
import { FailedReply, type HostedChain, type Outgoing, type WorkerHost } from './worker_host.ts';
import type { BatchesReply, DoneReply, ErrorPayload, LookBackInput, ModuleSetup } from './worker_protocol.ts';
import type {
  BatchesResult,
  ChainModuleInfo,
  LookBackRecords,
  LookBackSource,
  ProcessResult,
  RecordBatchInput,
  SmartModuleLogger,
} from './types.ts';

const SLOTS = 3;
const MIN_SLOT_BYTES = 64 * 1024;
const EMPTY = Buffer.alloc(0);
const NO_ENDS = new Int32Array(0);
const NO_RELEASE = (): void => {};

interface Slot {
  index: number;
  sab: SharedArrayBuffer;
  /** The worker holds this slot's current buffer. */
  known: boolean;
  /** processBatches output when the pool lends none: copied out as soon as the reply is in. */
  bounce: SharedArrayBuffer | null;
}

let nextChainId = 1;

export interface ChainInternals {
  host: WorkerHost | null;
  setups: ModuleSetup[];
  modules: ChainModuleInfo[];
  memoryLimitBytes: number;
  logger: SmartModuleLogger;
}

export class SmartChain {
  readonly id = nextChainId++;
  /** The modules in order, with the transform each exports. */
  readonly modules: readonly ChainModuleInfo[];

  readonly #host: WorkerHost | null;
  readonly #setups: ModuleSetup[];
  readonly #memoryLimit: number;
  readonly #logger: SmartModuleLogger;
  readonly #hosted: HostedChain;
  readonly #slots: Slot[] = [];
  readonly #freeSlots: Slot[] = [];
  readonly #slotWaiters: Array<(slot: Slot) => void> = [];
  readonly #inFlight = new Set<Promise<unknown>>();
  readonly #outputs = new OutputPool();
  #established = false;
  #lookBackReplay: LookBackInput[] | null = null;
  #lookBackGate: Promise<void> | null = null;
  #failed: SmartModuleError | null = null;
  #closed = false;

  /** @internal use SmartEngine.chain() */
  constructor(internals: ChainInternals) {
    this.#host = internals.host;
    this.#setups = internals.setups;
    this.modules = internals.modules;
    this.#memoryLimit = internals.memoryLimitBytes;
    this.#logger = internals.logger;
    for (let i = 0; i < SLOTS; i++) {
      const slot: Slot = { index: i, sab: new SharedArrayBuffer(MIN_SLOT_BYTES), known: false, bounce: null };
      this.#slots.push(slot);
      this.#freeSlots.push(slot);
    }
    this.#hosted = {
      id: this.id,
      moduleName: (i) => this.modules[i]?.name ?? '',
      rebuild: () => this.#rebuild(),
      workerLost: () => {
        for (const s of this.#slots) s.known = false;
      },
      fail: (error) => {
        this.#failed ??= error;
      },
      log: (module, fd, text) => {
        try {
          this.#logger({ module: this.modules[module]?.name ?? '', chain: this.id, stream: fd === 1 ? 'stdout' : 'stderr', text });
        } catch {
          // a broken logger must not break the stream
        }
      },
    };
  }

  /** The fatal error that ended this chain, if any (timeout, trap, memory, ABI violation). */
  get failure(): SmartModuleError | null {
    return this.#failed;
  }

  /** @internal instantiates the modules and runs their `init` */
  async start(): Promise<void> {
    if (!this.#host) {
      this.#established = true;
      return;
    }
    this.#host.attach(this.#hosted);
    try {
      await this.#host.request(this.#hosted, () => ({
        msg: { t: 'create', chain: this.id, modules: this.#setups, memoryLimitBytes: this.#memoryLimit },
      }));
    } catch (err) {
      this.#host.detach(this.#hosted);
      this.#closed = true;
      throw this.#toError(err);
    }
    this.#established = true;
  }

  /**
   * Runs one batch through the chain. Resolves with the output records section (and the
   * first record error, if a module reported one); rejects when the chain dies
   * (SmartModuleTimeoutError, SmartModuleTrapError, SmartModuleMemoryError, SmartModuleAbiError).
   */
  process(batch: RecordBatchInput): Promise<ProcessResult> {
    const refused = this.#refusal();
    if (refused) return Promise.reject(refused);
    const { records } = batch;
    if (!(records instanceof Uint8Array) || records.length < 4) {
      return Promise.reject(new TypeError('process() needs records as a Uint8Array holding a records section (u32 count + records)'));
    }
    if (!this.#host) {
      return Promise.resolve({ records: records.slice(), count: new DataView(records.buffer, records.byteOffset).getUint32(0) });
    }
    const baseOffset = BigInt(batch.baseOffset);
    const baseTimestamp = BigInt(batch.baseTimestamp ?? 0);
    const gate = this.#lookBackGate;
    const run = gate
      ? gate.then(() => this.#runBatch(records, baseOffset, baseTimestamp), () => this.#runBatch(records, baseOffset, baseTimestamp))
      : this.#runBatch(records, baseOffset, baseTimestamp);
    return this.#track(run);
  }

  /**
   * Runs whole record batches through the chain with one round trip to the sandbox.
   * `batches`: batches back to back (Kafka v2 / Fluvio layout), or pieces that concatenate to
   * them, with uncompressed records sections (compression bits are ignored). Each batch's
   * records section goes to the chain as it is, with the batch's base offset and first timestamp.
   * Resolves with one output batch per input batch that kept records, in the input's header
   * (same base offset and producer fields, offset span widened if needed, max timestamp,
   * compression none, CRC set); a record error stops at its batch (`ends` is then shorter).
   * The output lives in a buffer lent by the chain: call the result's `release()` once nothing
   * looks at `batches` any more (e.g. its socket write completed) and the memory is reused.
   * Rejects like `process` when the chain dies, and with a RangeError on malformed input.
   */
  processBatches(batches: Uint8Array | readonly Uint8Array[]): Promise<BatchesResult> {
    const refused = this.#refusal();
    if (refused) return Promise.reject(refused);
    const chunks: readonly Uint8Array[] = batches instanceof Uint8Array ? [batches] : batches;
    let len = 0;
    for (const c of chunks) {
      if (!(c instanceof Uint8Array)) return Promise.reject(new TypeError('processBatches() takes record batches as a Uint8Array or an array of Uint8Array pieces'));
      len += c.length;
    }
    if (len === 0) return Promise.resolve({ batches: EMPTY, count: 0, ends: NO_ENDS, release: NO_RELEASE });
    if (!this.#host) {
      try {
        return Promise.resolve(passThrough(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)));
      } catch (err) {
        return Promise.reject(err);
      }
    }
    const gate = this.#lookBackGate;
    const run = gate ? gate.then(() => this.#runBatches(chunks, len), () => this.#runBatches(chunks, len)) : this.#runBatches(chunks, len);
    return this.#track(run);
  }

  /**
   * Feeds look-back records to every module that has a `lookback` config and exports
   * `look_back` (Fluvio's order: once, before streaming). Batches submitted meanwhile wait.
   */
  lookBack(source: LookBackSource): Promise<void> {
    const refused = this.#refusal();
    if (refused) return Promise.reject(refused);
    const run = this.#runLookBack(source);
    const gate = run.then(
      () => {},
      () => {},
    );
    this.#lookBackGate = gate;
    void gate.then(() => {
      if (this.#lookBackGate === gate) this.#lookBackGate = null;
    });
    return this.#track(run);
  }

  /** Waits for queued batches, then frees the instances. Further calls reject. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.allSettled([...this.#inFlight]);
    this.#host?.detach(this.#hosted);
  }

  #refusal(): SmartModuleError | null {
    if (this.#failed) return this.#failed;
    if (this.#closed) return new SmartModuleClosedError(`SmartModule chain ${this.id}`);
    return null;
  }

  #track<T>(p: Promise<T>): Promise<T> {
    this.#inFlight.add(p);
    const done = (): void => {
      this.#inFlight.delete(p);
    };
    p.then(done, done);
    return p;
  }

  async #runBatch(records: Uint8Array, baseOffset: bigint, baseTimestamp: bigint): Promise<ProcessResult> {
    const slot = this.#freeSlots.pop() ?? (await new Promise<Slot>((resolve) => this.#slotWaiters.push(resolve)));
    try {
      const reply = (await this.#host!.request(this.#hosted, () => this.#prepareProcess(slot, records, baseOffset, baseTimestamp))) as DoneReply;
      return this.#result(slot, reply);
    } catch (err) {
      throw this.#toError(err);
    } finally {
      this.#release(slot);
    }
  }

  async #runBatches(chunks: readonly Uint8Array[], len: number): Promise<BatchesResult> {
    const slot = this.#freeSlots.pop() ?? (await new Promise<Slot>((resolve) => this.#slotWaiters.push(resolve)));
    const lent = this.#outputs.take(len);
    const out = lent ?? this.#bounce(slot, len);
    try {
      const reply = (await this.#host!.request(this.#hosted, () => this.#prepareBatches(slot, chunks, len, out))) as BatchesReply;
      return this.#batchesResult(reply, out, lent !== null);
    } catch (err) {
      if (lent) this.#outputs.give(lent);
      throw this.#toError(err);
    } finally {
      this.#release(slot);
    }
  }

  /** The slot's own output buffer, big enough for the input or the largest output seen. */
  #bounce(slot: Slot, len: number): SharedArrayBuffer {
    const want = Math.max(len, this.#outputs.largest);
    if (!slot.bounce || slot.bounce.byteLength < want) slot.bounce = new SharedArrayBuffer(want);
    return slot.bounce;
  }

  #release(slot: Slot): void {
    const waiter = this.#slotWaiters.shift();
    if (waiter) waiter(slot);
    else this.#freeSlots.push(slot);
  }

  #fit(slot: Slot, len: number): Uint8Array {
    if (slot.sab.byteLength < len) {
      slot.sab = new SharedArrayBuffer(Math.max(len, slot.sab.byteLength * 2));
      slot.known = false;
    }
    return new Uint8Array(slot.sab, 0, len);
  }

  /** Copies the batches into the slot and checks their framing; re-run when a restarted worker needs them again. */
  #prepareBatches(slot: Slot, chunks: readonly Uint8Array[], len: number, out: SharedArrayBuffer): Outgoing {
    const view = this.#fit(slot, len);
    let at = 0;
    for (const c of chunks) {
      copyBytes(c, view, at);
      at += c.length;
    }
    countBatches(view, len);
    const sab = slot.known ? undefined : slot.sab;
    slot.known = true;
    return { msg: { t: 'batches', chain: this.id, slot: slot.index, sab, len, out } };
  }

  #batchesResult(reply: BatchesReply, out: SharedArrayBuffer, lent: boolean): BatchesResult {
    if (reply.accumulators) {
      for (const [i, acc] of reply.accumulators) this.#setups[i].accumulator = acc;
    }
    const pool = this.#outputs;
    pool.saw(reply.len);
    let batches: Buffer;
    let release = NO_RELEASE;
    if (reply.spilled || reply.len === 0 || !lent) {
      if (reply.spilled) batches = Buffer.from(reply.spilled);
      else if (reply.len === 0) batches = EMPTY;
      else {
        // the slot's own buffer: copy out once (the caller does not seem to release results)
        batches = Buffer.allocUnsafe(reply.len);
        copyBytes(new Uint8Array(out, 0, reply.len), batches, 0);
      }
      if (lent) pool.give(out);
    } else {
      batches = Buffer.from(out, 0, reply.len);
      let held = true;
      release = () => {
        if (!held) return;
        held = false;
        pool.give(out);
      };
    }
    const result: BatchesResult = { batches, count: reply.count, ends: reply.ends, release };
    if (reply.error) result.error = new SmartModuleRuntimeError(this.modules[reply.error.module].name, reply.error.fields);
    return result;
  }

  /** Copies the batch into the slot; re-run when a restarted worker needs the batch again. */
  #prepareProcess(slot: Slot, records: Uint8Array, baseOffset: bigint, baseTimestamp: bigint): Outgoing {
    copyBytes(records, this.#fit(slot, records.length), 0);
    const sab = slot.known ? undefined : slot.sab;
    slot.known = true;
    return {
      msg: { t: 'process', chain: this.id, slot: slot.index, sab, len: records.length, baseOffset, baseTimestamp },
    };
  }

  #result(slot: Slot, reply: DoneReply): ProcessResult {
    if (reply.sab) {
      slot.sab = reply.sab;
      slot.known = true;
    }
    const out = Buffer.allocUnsafe(reply.len);
    copyBytes(new Uint8Array(slot.sab, 0, reply.len), out, 0);
    if (reply.accumulators) {
      for (const [i, acc] of reply.accumulators) this.#setups[i].accumulator = acc;
    }
    const result: ProcessResult = { records: out, count: reply.count };
    if (reply.error) result.error = new SmartModuleRuntimeError(this.modules[reply.error.module].name, reply.error.fields);
    return result;
  }

  async #runLookBack(source: LookBackSource): Promise<void> {
    const inputs: LookBackInput[] = [];
    for (let i = 0; i < this.modules.length; i++) {
      const info = this.modules[i];
      if (!info.lookback || !info.hasLookBack) continue;
      let got: Uint8Array | LookBackRecords;
      if (typeof source === 'function') got = await source({ ...info, lookback: info.lookback }, i);
      else got = source;
      const rec: LookBackRecords = got instanceof Uint8Array ? { records: got } : got;
      if (!(rec.records instanceof Uint8Array) || rec.records.length < 4) {
        throw new TypeError('look-back records must be a records section (u32 count + records)');
      }
      inputs.push({
        module: i,
        records: rec.records,
        baseOffset: BigInt(rec.baseOffset ?? 0),
        baseTimestamp: BigInt(rec.baseTimestamp ?? 0),
      });
    }
    if (inputs.length === 0 || !this.#host) return;
    try {
      await this.#host.request(this.#hosted, () => ({ msg: { t: 'lookback', chain: this.id, inputs } }));
    } catch (err) {
      throw this.#toError(err);
    }
    // replayed after a worker restart so the rebuilt instances see the same history
    this.#lookBackReplay = [...(this.#lookBackReplay ?? []), ...inputs];
  }

  #rebuild(): Outgoing[] {
    if (!this.#established || this.#closed) return [];
    const out: Outgoing[] = [
      {
        msg: {
          t: 'create',
          chain: this.id,
          modules: this.#setups,
          memoryLimitBytes: this.#memoryLimit,
        },
      },
    ];
    if (this.#lookBackReplay) out.push({ msg: { t: 'lookback', chain: this.id, inputs: this.#lookBackReplay } });
    return out;
  }

  /** Maps a worker failure to its typed error; fatal ones end the chain. */
  #toError(err: unknown): Error {
    if (!(err instanceof FailedReply)) return err as Error;
    const error = payloadToError(err.payload, (i) => this.modules[i]?.name ?? '', this.#memoryLimit);
    const recoverable = err.payload.type === 'lookback' || !this.#established;
    if (!recoverable && !this.#failed) {
      this.#failed = error;
      this.#host?.detach(this.#hosted);
    }
    return this.#failed && !recoverable ? this.#failed : error;
  }
}

/** An empty chain's processBatches: every batch as it is, in a fresh output header. */
function passThrough(input: Uint8Array): BatchesResult {
  const len = input.length;
  const n = countBatches(input, len);
  const out = Buffer.allocUnsafe(len);
  const inDv = new DataView(input.buffer, input.byteOffset, len);
  const outDv = new DataView(out.buffer, out.byteOffset, len);
  const ends = new Int32Array(n);
  const maxima = { maxTimestampDelta: 0, maxOffsetDelta: -1 };
  let count = 0;
  let o = 0;
  for (let at = 0, i = 0; at < len; i++) {
    const end = batchEnd(inDv, at);
    const section = input.subarray(at + BATCH_HEADER_BYTES, end);
    const c = inDv.getUint32(at + BATCH_HEADER_BYTES);
    if (c > 0) {
      scanPreambles(section, maxima);
      o = writeOutputBatch(out, outDv, o, input, inDv, at, section, maxima);
      count += c;
    }
    ends[i] = o;
    at = end;
  }
  return { batches: out.subarray(0, o), count, ends, release: NO_RELEASE };
}

export function payloadToError(payload: ErrorPayload, name: (module: number) => string, memoryLimit: number): SmartModuleError {
  const n = name(payload.module);
  switch (payload.type) {
    case 'load':
      return new SmartModuleLoadError(n, payload.detail);
    case 'init':
      return new SmartModuleInitError(n, payload.hint);
    case 'lookback':
      return new SmartModuleLookBackError(n, payload.fields);
    case 'memory':
      return new SmartModuleMemoryError(n, memoryLimit, payload.detail);
    case 'trap':
      return new SmartModuleTrapError(n, payload.detail);
    case 'abi':
      return new SmartModuleAbiError(n, payload.status, payload.detail);
  }
}
