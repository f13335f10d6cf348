// SmartModule chains run in the client process (producer and consumer `localSmartmodules`), with
// @eddy/smartengine: the same engine and sandbox the broker uses, loaded only when asked for.
import { availableParallelism } from 'node:os';
import { EddyError, ErrorCode, encodeRecordsSection, visitRecords } from '@eddy/protocol';
import type { RecordInput } from '@eddy/protocol';
import type {
  LookBackRecords, LookbackConfig, SmartChain, SmartEngine, SmartModuleRuntimeError, SmartModuleSpec as EngineSpec,
} from '@eddy/smartengine';
// The error vocabulary only (not the engine): the same wording and codes as the broker's chains.
import { toWireError } from '@eddy/smartengine/errors';
import { resolveSmartModule, SmartModuleSpecError, type SmartModuleSpec } from './smartmodule_spec.ts';
import { LOCAL_ENGINE_MAX_WORKERS } from './defaults.ts';

/** Reads what a module's look-back asks for from one partition: a records section. */
export type LookBackReader = (partition: number, want: LookbackConfig) => Promise<LookBackRecords>;

let engineModule: Promise<typeof import('@eddy/smartengine')> | null = null;
let sharedEngine: Promise<SmartEngine> | null = null;

/** @eddy/smartengine, loaded on first use. */
function loadEngineModule(): Promise<typeof import('@eddy/smartengine')> {
  engineModule ??= import('@eddy/smartengine');
  return engineModule;
}

/**
 * The engine local chains use when none is given: created on first use, two sandbox workers
 * at most (a client shares its cores with the application), default memory cap and time budget.
 * Its workers do not keep the process alive.
 */
export function defaultSmartEngine(): Promise<SmartEngine> {
  sharedEngine ??= loadEngineModule().then((m) => new m.SmartEngine({ workers: Math.min(LOCAL_ENGINE_MAX_WORKERS, availableParallelism()) }));
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
 * Consumer side: the received batches go through the chain as the broker runs its own
 * (smartengine's PassSubmitter: one call for the lot, records sections as received, decompressed
 * if needed, output in each input batch's header with its offsets). Batches filtered out
 * completely are dropped. A batch starting before `from` (the stream's start, inside the first
 * batch after it opened) is cut there first: the chain never sees the records before the start,
 * and the batch goes rebased to `from`, so array_map output (at the batch's base offset) is not
 * before it. Rejects when the chain dies (time-out, trap, memory).
 */
export async function transformFetched(chain: SmartChain, batches: Buffer, from = -1): Promise<FetchedOutput> {
  // From the engine's internal face; already loaded with the engine that made the chain.
  const { PassSubmitter } = await import('@eddy/smartengine/internal');
  const r = await new PassSubmitter(chain).submit(batches, 0, from).result;
  // The output lives in the chain's pooled memory: copied once here, so it can go back at once
  // (the application keeps records as views into what it is handed).
  const out = r.batches.length === 0 ? EMPTY : Buffer.from(r.batches);
  r.release();
  return { batches: out, error: r.error ?? null };
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
 * An engine error as the EddyError a broker-side chain would give (smartengine's one mapping and
 * wording); `where` names the partition ("'t' partition 0") or the batch. A spec the client
 * refused is InvalidConfig.
 */
export function localError(err: unknown, where: string): EddyError {
  if (err instanceof SmartModuleSpecError) return new EddyError(ErrorCode.InvalidConfig, err.message, { cause: err });
  return toWireError(err, where);
}
