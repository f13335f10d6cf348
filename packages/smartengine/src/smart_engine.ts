// The SmartModule engine: compiles modules once, spreads chains over a pool of
// sandbox workers, and hands out SmartChain objects (one per stream).
import { availableParallelism } from 'node:os';
import { SMARTMODULE_LATEST_VERSION, SMARTMODULE_MIN_VERSION } from './abi.ts';
import { SmartModuleClosedError, SmartModuleLoadError } from './errors.ts';
import { encodeExtraParams } from './input_codec.ts';
import { ModuleCache, ModuleRejected, type CompiledSmartModule } from './module_cache.ts';
import { SmartChain } from './smart_chain.ts';
import type {
  ChainModuleInfo,
  SmartEngineOptions,
  SmartModuleInfo,
  SmartModuleLogger,
  SmartModuleSpec,
} from './types.ts';
import { WorkerHost } from './worker_host.ts';
import type { ModuleSetup } from './worker_protocol.ts';

const MIB = 1024 * 1024;

const defaultLogger: SmartModuleLogger = (line) => {
  process.stderr.write(`[smartmodule ${line.module}] ${line.text}\n`);
};

export class SmartEngine {
  readonly memoryLimitBytes: number;
  readonly timeBudgetMs: number;
  readonly workers: number;
  readonly #workerHeapMb: number;
  readonly #logger: SmartModuleLogger;
  readonly #cache: ModuleCache;
  readonly #hosts: WorkerHost[] = [];
  #closed = false;

  constructor(options: SmartEngineOptions = {}) {
    this.memoryLimitBytes = positive('memoryLimitBytes', options.memoryLimitBytes ?? 64 * MIB);
    if (this.memoryLimitBytes < 65536) throw new RangeError('memoryLimitBytes must be at least one 64 KiB page');
    this.timeBudgetMs = positive('timeBudgetMs', options.timeBudgetMs ?? 1000);
    this.workers = Math.floor(positive('workers', options.workers ?? availableParallelism()));
    this.#workerHeapMb = positive('workerHeapMb', options.workerHeapMb ?? 256);
    this.#logger = options.logger ?? defaultLogger;
    this.#cache = new ModuleCache(this.memoryLimitBytes);
  }

  /** Compiles (or finds in the cache) a module and reports what it exports. Rejects with SmartModuleLoadError. */
  async inspect(wasm: Uint8Array, name = 'module'): Promise<SmartModuleInfo> {
    return { ...(await this.#load(name, wasm)).info };
  }

  /**
   * Instantiates the modules on one sandbox worker and runs their `init`.
   * Rejects with SmartModuleLoadError (bad wasm/spec) or SmartModuleInitError (init refused its params).
   */
  async chain(specs: readonly SmartModuleSpec[]): Promise<SmartChain> {
    if (this.#closed) throw new SmartModuleClosedError('the SmartModule engine');
    if (!Array.isArray(specs)) throw new TypeError('chain() takes an array of SmartModule specs');
    specs.forEach(checkSpec);
    const compiled = await Promise.all(specs.map((spec) => this.#load(spec.name, spec.wasm)));
    if (this.#closed) throw new SmartModuleClosedError('the SmartModule engine');

    const modules: ChainModuleInfo[] = [];
    const setups: ModuleSetup[] = [];
    specs.forEach((spec, i) => {
      const { module, info } = compiled[i];
      const version = spec.version ?? SMARTMODULE_LATEST_VERSION;
      modules.push({ ...info, name: spec.name, version, ...(spec.lookback ? { lookback: { ...spec.lookback } } : {}) });
      setups.push({
        name: spec.name,
        module,
        copyRecordsModule: info.copyRecordsModule,
        transform: info.transform,
        version,
        params: { ...(spec.params ?? {}) },
        lookback: spec.lookback ? { ...spec.lookback } : undefined,
        accumulator: info.transform === 'aggregate' ? (spec.initialAccumulator?.slice() ?? new Uint8Array(0)) : null,
      });
    });

    const chain = new SmartChain({
      host: specs.length > 0 ? this.#pickHost() : null,
      setups,
      modules,
      memoryLimitBytes: this.memoryLimitBytes,
      logger: this.#logger,
    });
    await chain.start();
    return chain;
  }

  /** Stops every worker; pending and later calls reject with SmartModuleClosedError. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all(this.#hosts.map((h) => h.close()));
  }

  /** Workers replaced so far because a module overran its budget or crashed its sandbox. */
  get workerRestarts(): number {
    return this.#hosts.reduce((n, h) => n + h.restarts, 0);
  }

  async #load(name: string, wasm: Uint8Array): Promise<CompiledSmartModule> {
    try {
      return await this.#cache.load(wasm);
    } catch (err) {
      if (err instanceof ModuleRejected) throw new SmartModuleLoadError(name, err.message);
      throw err;
    }
  }

  /** The least loaded worker; a new one while the pool is not full. */
  #pickHost(): WorkerHost {
    let best: WorkerHost | undefined;
    for (const h of this.#hosts) if (!best || h.chainCount < best.chainCount) best = h;
    if (best && (best.chainCount === 0 || this.#hosts.length >= this.workers)) return best;
    const host = new WorkerHost({
      timeBudgetMs: this.timeBudgetMs,
      memoryLimitBytes: this.memoryLimitBytes,
      workerHeapMb: this.#workerHeapMb,
    });
    this.#hosts.push(host);
    return host;
  }
}

function positive(what: string, n: number): number {
  if (typeof n !== 'number' || !Number.isFinite(n) || n <= 0) throw new RangeError(`${what} must be a positive number, got ${n}`);
  return n;
}

function checkSpec(spec: SmartModuleSpec, i: number): void {
  const name = typeof spec?.name === 'string' && spec.name !== '' ? spec.name : `#${i}`;
  const bad = (detail: string): never => {
    throw new SmartModuleLoadError(name, detail);
  };
  if (typeof spec?.name !== 'string' || spec.name === '') bad('the spec needs a non-empty name');
  if (!(spec.wasm instanceof Uint8Array)) bad('the spec needs the module bytes as a Uint8Array in "wasm"');
  const v = spec.version ?? SMARTMODULE_LATEST_VERSION;
  if (!Number.isInteger(v) || v < SMARTMODULE_MIN_VERSION || v > SMARTMODULE_LATEST_VERSION) {
    bad(`version ${v} is not supported (use ${SMARTMODULE_MIN_VERSION}..${SMARTMODULE_LATEST_VERSION})`);
  }
  for (const [k, val] of Object.entries(spec.params ?? {})) {
    if (typeof val !== 'string') bad(`param "${k}" must be a string`);
  }
  const lb = spec.lookback;
  if (lb !== undefined) {
    if (lb.last !== undefined && !(Number.isInteger(lb.last) && lb.last >= 0)) bad('lookback.last must be a non-negative integer');
    if (lb.ageMs !== undefined && !(Number.isFinite(lb.ageMs) && lb.ageMs >= 0)) bad('lookback.ageMs must be a non-negative number');
  }
  try {
    encodeExtraParams(spec.params ?? {}, lb, v);
  } catch (err) {
    bad((err as Error).message);
  }
  if (spec.initialAccumulator !== undefined && !(spec.initialAccumulator instanceof Uint8Array)) {
    bad('initialAccumulator must be a Uint8Array');
  }
}
