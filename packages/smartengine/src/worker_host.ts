// One sandbox worker seen from the main thread: request/reply bookkeeping, the
// time-budget watchdog, and recovery. When a module overruns its budget (or the
// worker dies), the worker is terminated, the guilty chain fails, and every other
// chain on it is rebuilt on a fresh worker and its pending batches are sent again.
import { Worker, type Transferable } from 'node:worker_threads';
import {
  SmartModuleClosedError,
  SmartModuleError,
  SmartModuleMemoryError,
  SmartModuleTimeoutError,
  SmartModuleTrapError,
} from './errors.ts';
import {
  STATUS_BYTES,
  STATUS_CHAIN,
  STATUS_MODULE,
  STATUS_SEQ,
  STATUS_START_F64_INDEX,
  type BatchesReply,
  type DoneReply,
  type OkReply,
  type WorkerData,
  type WorkerReply,
  type WorkerRequest,
} from './worker_protocol.ts';

/** A request without its id; the host assigns one each time it (re)posts it. */
export type Outgoing = { msg: DistributiveOmit<WorkerRequest, 'req'>; transfer?: Transferable[] };
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** What the host needs from a chain pinned to it. */
export interface HostedChain {
  readonly id: number;
  moduleName(index: number): string;
  /** Requests that rebuild the chain's state on a fresh worker; [] while its creation is still pending. */
  rebuild(): Outgoing[];
  /** The worker went away: buffers it knew must be sent again. */
  workerLost(): void;
  /** The chain is dead (e.g. it ran out of time); called once, before its pending requests are rejected. */
  fail(error: SmartModuleError): void;
  log(module: number, fd: 1 | 2, text: string): void;
}

export type Reply = OkReply | DoneReply | BatchesReply;

interface Pending {
  chain: HostedChain;
  prepare: () => Outgoing;
  resolve: (reply: Reply) => void;
  reject: (error: SmartModuleError | FailedReply) => void;
}

/** A `fail` reply from the worker, turned into an error by the chain (it knows the module names). */
export class FailedReply {
  readonly payload: Extract<WorkerReply, { t: 'fail' }>['error'];
  constructor(payload: FailedReply['payload']) {
    this.payload = payload;
  }
}

export interface WorkerHostOptions {
  timeBudgetMs: number;
  memoryLimitBytes: number;
  workerHeapMb: number;
}

let nextRequestId = 1;

const WORKER_URL = new URL(`./sandbox_worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url);

export class WorkerHost {
  readonly #options: WorkerHostOptions;
  readonly #status = new SharedArrayBuffer(STATUS_BYTES);
  readonly #statusI32 = new Int32Array(this.#status, 0, 3);
  readonly #statusF64 = new Float64Array(this.#status);
  readonly #pending = new Map<number, Pending>();
  readonly #chains = new Map<number, HostedChain>();
  #worker: Worker | null = null;
  #timer: NodeJS.Timeout | null = null;
  #closed = false;
  /** Number of workers this host has had to replace (for tests and metrics). */
  restarts = 0;

  constructor(options: WorkerHostOptions) {
    this.#options = options;
  }

  get chainCount(): number {
    return this.#chains.size;
  }

  attach(chain: HostedChain): void {
    this.#chains.set(chain.id, chain);
  }

  /** Forgets a chain; its instances are dropped in the worker after any request already queued. */
  detach(chain: HostedChain): void {
    if (!this.#chains.delete(chain.id)) return;
    if (this.#worker) this.#worker.postMessage({ t: 'drop', chain: chain.id } satisfies WorkerRequest);
  }

  request(chain: HostedChain, prepare: () => Outgoing): Promise<Reply> {
    if (this.#closed) return Promise.reject(new SmartModuleClosedError('the SmartModule engine'));
    return new Promise<Reply>((resolve, reject) => {
      const pending: Pending = { chain, prepare, resolve, reject };
      this.#send(nextRequestId++, pending);
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#clearTimer();
    const worker = this.#worker;
    this.#worker = null;
    const error = new SmartModuleClosedError('the SmartModule engine');
    for (const p of this.#pending.values()) p.reject(error);
    this.#pending.clear();
    this.#chains.clear();
    if (worker) {
      worker.removeAllListeners();
      await worker.terminate();
    }
  }

  #send(req: number, pending: Pending): void {
    const worker = this.#ensureWorker();
    const { msg, transfer } = pending.prepare();
    if (this.#pending.size === 0) worker.ref();
    this.#pending.set(req, pending);
    worker.postMessage({ ...msg, req }, transfer ?? []);
    if (!this.#timer) this.#arm(this.#options.timeBudgetMs);
  }

  #ensureWorker(): Worker {
    if (this.#worker) return this.#worker;
    const data: WorkerData = { status: this.#status };
    const worker = new Worker(WORKER_URL, {
      workerData: data,
      resourceLimits: { maxOldGenerationSizeMb: this.#options.workerHeapMb },
      stdout: false,
      stderr: false,
    });
    worker.unref();
    worker.on('message', (msg: WorkerReply) => this.#onMessage(msg));
    worker.on('error', (err: Error & { code?: string }) => {
      const oom = err.code === 'ERR_WORKER_OUT_OF_MEMORY';
      this.#lost(worker, (name) => (oom ? new SmartModuleMemoryError(name, this.#options.memoryLimitBytes, 'the sandbox ran out of heap') : new SmartModuleTrapError(name, `sandbox crashed: ${err.message}`)));
    });
    worker.on('exit', (code) => {
      this.#lost(worker, (name) => new SmartModuleTrapError(name, `sandbox exited with code ${code}`));
    });
    this.#worker = worker;
    return worker;
  }

  #onMessage(msg: WorkerReply): void {
    if (msg.t === 'log') {
      this.#chains.get(msg.chain)?.log(msg.module, msg.fd, msg.text);
      return;
    }
    const pending = this.#pending.get(msg.req);
    if (!pending) return;
    this.#pending.delete(msg.req);
    if (this.#pending.size === 0) {
      this.#worker?.unref();
      this.#clearTimer();
    }
    if (msg.t === 'fail') pending.reject(new FailedReply(msg.error));
    else pending.resolve(msg);
  }

  #arm(ms: number): void {
    this.#timer = setTimeout(() => this.#watchdog(), Math.max(1, ms));
    this.#timer.unref();
  }

  #clearTimer(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  /** Fires at most once per budget while requests are pending; cheap at any batch rate. */
  #watchdog(): void {
    this.#timer = null;
    if (this.#pending.size === 0 || !this.#worker) return;
    const budget = this.#options.timeBudgetMs;
    const seq = Atomics.load(this.#statusI32, STATUS_SEQ);
    const chainId = Atomics.load(this.#statusI32, STATUS_CHAIN);
    const module = Atomics.load(this.#statusI32, STATUS_MODULE);
    const start = this.#statusF64[STATUS_START_F64_INDEX];
    if (Atomics.load(this.#statusI32, STATUS_SEQ) !== seq) return this.#arm(1); // torn read: look again
    if (chainId === 0) return this.#arm(budget);
    const elapsed = Date.now() - start;
    if (elapsed < budget) return this.#arm(budget - elapsed + 1);
    const worker = this.#worker;
    this.#lost(worker, (name) => new SmartModuleTimeoutError(name, budget), { chainId, module });
  }

  /**
   * The worker is gone (or must go). Fails the guilty chain — the one running when it
   * happened, or every chain with work in flight if that is unknown — and rebuilds the others.
   */
  #lost(worker: Worker, makeError: (moduleName: string) => SmartModuleError, culprit?: { chainId: number; module: number }): void {
    if (worker !== this.#worker || this.#closed) return;
    this.#worker = null;
    this.#clearTimer();
    worker.removeAllListeners();
    worker.on('error', () => {});
    void worker.terminate();
    this.restarts++;

    if (!culprit) {
      const chainId = Atomics.load(this.#statusI32, STATUS_CHAIN);
      if (chainId !== 0) culprit = { chainId, module: Atomics.load(this.#statusI32, STATUS_MODULE) };
    }
    Atomics.store(this.#statusI32, STATUS_CHAIN, 0);

    const guilty = new Set<number>();
    if (culprit && this.#chains.has(culprit.chainId)) guilty.add(culprit.chainId);
    else for (const p of this.#pending.values()) guilty.add(p.chain.id);

    const pending = [...this.#pending.entries()];
    this.#pending.clear();
    for (const id of guilty) {
      const chain = this.#chains.get(id) ?? pending.find(([, p]) => p.chain.id === id)?.[1].chain;
      if (!chain) continue;
      const error = makeError(chain.moduleName(culprit?.chainId === id ? culprit.module : 0));
      this.#chains.delete(id);
      chain.fail(error);
      for (const [, p] of pending) if (p.chain.id === id) p.reject(error);
    }

    // rebuild the innocent chains, then resend their pending work in its original order
    for (const chain of this.#chains.values()) {
      chain.workerLost();
      for (const outgoing of chain.rebuild()) {
        this.#send(nextRequestId++, {
          chain,
          prepare: () => outgoing,
          resolve: () => {},
          reject: (err) => this.#rebuildFailed(chain, err),
        });
      }
      for (const [req, p] of pending) if (p.chain === chain) this.#send(req, p);
    }
  }

  #rebuildFailed(chain: HostedChain, err: SmartModuleError | FailedReply): void {
    const error = err instanceof SmartModuleError ? err : new SmartModuleTrapError(chain.moduleName(err.payload.module), `could not be restored after a sandbox restart (${err.payload.type})`);
    if (!this.#chains.delete(chain.id)) return;
    chain.fail(error);
    for (const [req, p] of this.#pending) {
      if (p.chain === chain) {
        this.#pending.delete(req);
        p.reject(error);
      }
    }
    if (this.#worker) this.#worker.postMessage({ t: 'drop', chain: chain.id } satisfies WorkerRequest);
  }
}
