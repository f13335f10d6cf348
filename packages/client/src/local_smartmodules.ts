// SmartModule chains run in the client process (producer and consumer `localSmartmodules`), with
// @eddy/smartengine: the same engine and sandbox the broker uses, loaded only when asked for.
import { availableParallelism } from 'node:os';
import {
  EddyError, ErrorCode, BatchLayout, batchBaseOffset, batchTotalSize, encodeBatchFromSection,
  encodeRecordsSection, readInt64BE, recordsSection, sectionFrom, visitRecords,
} from '@eddy/protocol';
import type { RecordInput } from '@eddy/protocol';
import type {
  LookBackRecords, LookbackConfig, ProcessResult, SmartChain, SmartEngine, SmartModuleRuntimeError,
  SmartModuleSpec as EngineSpec,
} from '@eddy/smartengine';
import { resolveSmartModule, SmartModuleSpecError, type SmartModuleSpec } from './smartmodule_spec.ts';

/** Reads what a module's look-back asks for from one partition: a records section. */
export type LookBackReader = (partition: number, want: LookbackConfig) => Promise<LookBackRecords>;

let sharedEngine: Promise<SmartEngine> | null = null;

/**
 * The engine local chains use when none is given: created on first use, two sandbox workers
 * at most (a client shares its cores with the application), default memory cap and time budget.
 * Its workers do not keep the process alive.
 */
export function defaultSmartEngine(): Promise<SmartEngine> {
  sharedEngine ??= import('@eddy/smartengine').then((m) => new m.SmartEngine({ workers: Math.min(2, availableParallelism()) }));
  return sharedEngine;
}

/** A chain spec for the client process: every module needs its wasm (path or bytes). */
export function localEngineSpecs(specs: readonly SmartModuleSpec[]): EngineSpec[] {
  if (!Array.isArray(specs)) throw new SmartModuleSpecError('localSmartmodules must be an array of SmartModule specs');
  return specs.map((s, i) => {
    const r = resolveSmartModule(s, i);
    if (r.wasm === null) {
      throw new SmartModuleSpecError(`local SmartModule '${r.name}' needs its wasm (path or wasm): modules registered on the cluster run on the broker (use smartmodules)`);
    }
    return {
      name: r.name,
      wasm: r.wasm,
      params: r.params,
      ...(r.lookback ? { lookback: r.lookback } : {}),
      ...(r.initialAccumulator ? { initialAccumulator: r.initialAccumulator } : {}),
      ...(r.version !== null ? { version: r.version } : {}),
    };
  });
}

/**
 * One local chain per partition (as the broker keeps one per stream): opened with `open`, which
 * runs every module's init and feeds look-back before the first batch.
 */
export class LocalSmartModules {
  readonly specs: readonly EngineSpec[];
  private readonly engine: SmartEngine | undefined;
  private readonly readLookBack: LookBackReader;
  private readonly where: string;

  constructor(specs: readonly SmartModuleSpec[], opts: { engine?: SmartEngine; readLookBack: LookBackReader; topic: string }) {
    this.specs = localEngineSpecs(specs);
    this.engine = opts.engine;
    this.readLookBack = opts.readLookBack;
    this.where = `'${opts.topic}'`;
  }

  /** A started chain for `partition`; rejects with an EddyError (SmartModuleInvalid, SmartModuleInit, SmartModuleRuntime). */
  async open(partition: number): Promise<SmartChain> {
    const where = `${this.where} partition ${partition}`;
    let chain: SmartChain;
    try {
      const engine = this.engine ?? (await defaultSmartEngine());
      chain = await engine.chain(this.specs);
    } catch (err) {
      throw localError(err, where);
    }
    if (chain.modules.some((m) => m.lookback && m.hasLookBack)) {
      try {
        await chain.lookBack((m) => this.readLookBack(partition, m.lookback));
      } catch (err) {
        await chain.close().catch(() => {});
        throw localError(err, where);
      }
    }
    return chain;
  }
}

/** Result of running fetched batches through a local chain. */
export interface FetchedOutput {
  /** Output batches (uncompressed), keeping each input batch's base offset and timestamps. */
  batches: Buffer;
  /** A record a module rejected; the batches hold the output for the records before it. */
  error: SmartModuleRuntimeError | null;
}

const EMPTY = Buffer.alloc(0);

/**
 * Consumer side: every batch of `batches` goes through the chain (submitted at once, so the
 * engine pipelines them), one call per batch. Batches filtered out completely are dropped.
 * A batch starting before `from` (the stream's start, inside the first batch after it opened)
 * is cut there first, as the broker does: the chain never sees the records before the start,
 * and the batch goes rebased to `from`, so array_map output (at the batch's base offset) is not
 * before it. Rejects when the chain dies (time-out, trap, memory).
 */
export async function transformFetched(chain: SmartChain, batches: Buffer, from = -1): Promise<FetchedOutput> {
  const spans: BatchSpan[] = [];
  const results: Promise<ProcessResult>[] = [];
  for (let at = 0; at < batches.length; at += batchTotalSize(batches, at)) {
    let base = batchBaseOffset(batches, at);
    const firstTimestamp = readInt64BE(batches, at + BatchLayout.firstTimestamp);
    const last = base + batches.readInt32BE(at + BatchLayout.lastOffsetDelta);
    if (last < from) continue; // delivered before the start
    let r: Promise<ProcessResult>;
    try {
      let records = recordsSection(batches, at);
      if (base < from) {
        records = sectionFrom(records, base, from);
        base = from;
      }
      r = chain.process({ baseOffset: base, baseTimestamp: firstTimestamp, records });
    } catch (err) {
      r = Promise.reject(err);
    }
    spans.push({ base, firstTimestamp, lastOffsetDelta: last - base });
    r.catch(noop); // awaited in order below; later ones may settle first
    results.push(r);
  }
  const out: Buffer[] = [];
  let error: SmartModuleRuntimeError | null = null;
  for (let i = 0; i < results.length; i++) {
    const r = await results[i];
    if (r.count > 0) out.push(wrapOutput(spans[i], r.records, r.count));
    if (r.error) {
      error = r.error;
      break;
    }
  }
  return { batches: out.length === 0 ? EMPTY : out.length === 1 ? out[0] : Buffer.concat(out), error };
}

/** The offsets and first timestamp of an input batch (after a cut at the stream's start). */
interface BatchSpan {
  base: number;
  firstTimestamp: number;
  lastOffsetDelta: number;
}

/** The chain's output for an input batch, in a batch with that batch's base offset and first timestamp. */
function wrapOutput(input: BatchSpan, section: Uint8Array, count: number): Buffer {
  const firstTimestamp = input.firstTimestamp;
  let maxTimestamp = firstTimestamp;
  let maxDelta = -1;
  visitRecords(section, 0, firstTimestamp, (r) => {
    if (r.timestamp > maxTimestamp) maxTimestamp = r.timestamp;
    if (r.offsetDelta > maxDelta) maxDelta = r.offsetDelta;
  });
  // Keep the input batch's offset span, so the output covers the same offsets.
  const lastOffsetDelta = Math.max(maxDelta, input.lastOffsetDelta);
  return encodeBatchFromSection(section, count, { baseOffset: input.base, firstTimestamp, maxTimestamp, lastOffsetDelta });
}

/** Result of running a producer batch through a local chain. */
export interface ProducedOutput {
  records: RecordInput[];
  /** For each input record, the index of its (first) output record; -1 when it produced none. */
  outputIndex: Int32Array;
  error: SmartModuleRuntimeError | null;
}

/**
 * Producer side: the batch's records, as one records section, through the chain. Output records
 * keep their timestamps, keys, values and headers; they are views into the chain's output.
 */
export async function transformProduced(chain: SmartChain, records: readonly RecordInput[], timestamp: number): Promise<ProducedOutput> {
  const first = records.length > 0 ? (records[0].timestamp ?? timestamp) : timestamp;
  return transformProducedSection(chain, encodeRecordsSection(records, { firstTimestamp: first, timestamp }), first);
}

/**
 * transformProduced() for records already encoded as a records section (u32 count + records,
 * timestamp deltas relative to `firstTimestamp`): what a producer batch holds.
 */
export async function transformProducedSection(chain: SmartChain, section: Buffer, firstTimestamp: number): Promise<ProducedOutput> {
  const inputCount = section.readUInt32BE(0);
  const first = firstTimestamp;
  const r = await chain.process({ baseOffset: 0, baseTimestamp: first, records: section });
  const out: RecordInput[] = new Array(r.count);
  const outputIndex = new Int32Array(inputCount).fill(-1);
  let n = 0;
  visitRecords(r.records, 0, first, (v) => {
    const rec: RecordInput = { key: v.key(), value: v.value(), timestamp: v.timestamp };
    if (v.headerCount > 0) rec.headers = v.headers();
    out[n] = rec;
    const from = v.offsetDelta;
    if (from >= 0 && from < outputIndex.length && outputIndex[from] === -1) outputIndex[from] = n;
    n++;
  });
  out.length = n;
  return { records: out, outputIndex, error: r.error ?? null };
}

/**
 * An engine error as the EddyError a broker-side chain would give: a record a module rejected
 * names the module, its kind, the offset and the hint; time-outs, traps and memory overruns
 * keep the engine's one-line message (which names the module).
 */
export function localError(err: unknown, where: string): EddyError {
  if (err instanceof EddyError) return err;
  const e = err as { code?: unknown; message?: string; moduleName?: string; hint?: string; offset?: number; kind?: string };
  switch (e?.code) {
    case 'RUNTIME':
      return new EddyError(ErrorCode.SmartModuleRuntime, runtimeMessage(err as SmartModuleRuntimeError, where), { cause: err });
    case 'LOAD':
      return new EddyError(ErrorCode.SmartModuleInvalid, e.message ?? 'SmartModule cannot be loaded', { cause: err });
    case 'INIT':
      return new EddyError(ErrorCode.SmartModuleInit, e.message ?? 'SmartModule init failed', { cause: err });
    case 'CLOSED':
      return new EddyError(ErrorCode.StreamClosed, 'the local SmartModule engine is closed', { cause: err });
    case 'LOOK_BACK': case 'TIMEOUT': case 'MEMORY': case 'TRAP': case 'ABI':
      return new EddyError(ErrorCode.SmartModuleRuntime, `${e.message} (on ${where})`, { cause: err });
    default:
      if (err instanceof SmartModuleSpecError) return new EddyError(ErrorCode.InvalidConfig, err.message, { cause: err });
      return new EddyError(ErrorCode.SmartModuleRuntime, `local SmartModule chain failed on ${where}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}

/** The same line the broker sends for a record a module rejected. */
export function runtimeMessage(err: SmartModuleRuntimeError, where: string): string {
  const hint = err.hint.split('\n').find((l) => l.trim() !== '')?.trim() ?? '';
  return `SmartModule '${err.moduleName}' (${err.kind}) failed on ${where} offset ${err.offset}: ${hint}`;
}

function noop(): void {}
