// One instantiated SmartModule inside a sandbox worker: writes inputs into guest
// memory, calls the entry points, reads back what the guest passed to copy_records.
import {
  ALLOC_EXPORT,
  COPY_RECORDS_IMPORT,
  INIT_EXPORT,
  INIT_STATUS_INIT_ERROR,
  LOOK_BACK_EXPORT,
  MEMORY_EXPORT,
  WASI_MODULE,
  statusMessage,
  type EntryPoint,
  type TransformName,
} from './abi.ts';
import { encodeExtraParams, inputSize, writeInput } from './input_codec.ts';
import {
  decodeInitOutput,
  decodeLookBackOutput,
  decodeTransformOutput,
  type TransformOutput,
} from './output_codec.ts';
import { createWasiImports, WasiExit } from './wasi.ts';
import type { ErrorPayload, ModuleSetup } from './worker_protocol.ts';

export class SandboxFailure extends Error {
  readonly payload: ErrorPayload;
  constructor(payload: ErrorPayload) {
    super(payload.type);
    this.payload = payload;
  }
}

export interface InstanceHooks {
  /** Called right before and after every guest call (the watchdog's view). */
  enter(module: number): void;
  leave(): void;
  /** A complete line the guest wrote to stdout (1) or stderr (2). */
  log(module: number, fd: 1 | 2, text: string): void;
}

type EntryFn = (ptr: number, len: number, version: number) => number;

const MAX_LOG_LINES_PER_CALL = 1000;
const MAX_LOG_LINE_CHARS = 16 * 1024;

/** Turns guest writes into lines, with a cap per call so a chatty module cannot flood the host. */
class LineBuffer {
  readonly #decoder = new TextDecoder();
  #partial = '';
  #lines = 0;
  #dropped = 0;
  readonly #emit: (text: string) => void;
  constructor(emit: (text: string) => void) {
    this.#emit = emit;
  }
  write(bytes: Uint8Array): void {
    const text = this.#partial + this.#decoder.decode(bytes, { stream: true });
    const parts = text.split('\n');
    this.#partial = parts.pop() ?? '';
    if (this.#partial.length > MAX_LOG_LINE_CHARS) {
      parts.push(this.#partial);
      this.#partial = '';
    }
    for (const line of parts) {
      if (this.#lines >= MAX_LOG_LINES_PER_CALL) this.#dropped++;
      else {
        this.#lines++;
        this.#emit(line.length > MAX_LOG_LINE_CHARS ? `${line.slice(0, MAX_LOG_LINE_CHARS)}...` : line);
      }
    }
  }
  endCall(): void {
    if (this.#dropped > 0) this.#emit(`[${this.#dropped} log lines dropped]`);
    this.#lines = 0;
    this.#dropped = 0;
  }
  flush(): void {
    if (this.#partial) this.#emit(this.#partial);
    this.#partial = '';
  }
}

export class ModuleInstance {
  readonly index: number;
  readonly name: string;
  readonly version: number;
  readonly transform: TransformName;
  /** Current accumulator (aggregate only). */
  accumulator: Uint8Array | null;

  readonly #memoryLimit: number;
  readonly #hooks: InstanceHooks;
  readonly #memory: WebAssembly.Memory;
  readonly #alloc: (len: number) => number;
  readonly #transform: EntryFn;
  readonly #init: EntryFn | undefined;
  readonly #lookBack: EntryFn | undefined;
  readonly #extraParams: Uint8Array;
  readonly #stdout: LineBuffer;
  readonly #stderr: LineBuffer;
  #buffer: ArrayBuffer | null = null;
  #u8 = new Uint8Array(0);
  #dv = new DataView(new ArrayBuffer(0));
  #outPtr = -1;
  #outLen = 0;

  constructor(index: number, setup: ModuleSetup, memoryLimit: number, hooks: InstanceHooks) {
    this.index = index;
    this.name = setup.name;
    this.version = setup.version;
    this.transform = setup.transform;
    this.accumulator = setup.transform === 'aggregate' ? (setup.accumulator ?? new Uint8Array(0)) : null;
    this.#memoryLimit = memoryLimit;
    this.#hooks = hooks;
    this.#stdout = new LineBuffer((text) => hooks.log(index, 1, text));
    this.#stderr = new LineBuffer((text) => hooks.log(index, 2, text));
    try {
      this.#extraParams = encodeExtraParams(setup.params, setup.lookback, setup.version);
    } catch (err) {
      throw new SandboxFailure({ type: 'load', module: index, detail: (err as Error).message });
    }

    let memory: WebAssembly.Memory | undefined;
    const wasi = createWasiImports({
      memory: () => memory,
      write: (fd, bytes) => (fd === 1 ? this.#stdout : this.#stderr).write(bytes),
    });
    const copyRecords = (ptr: number, len: number): void => {
      this.#outPtr = ptr >>> 0;
      this.#outLen = len >>> 0;
    };
    const imports: WebAssembly.Imports = { [WASI_MODULE]: wasi };
    imports[setup.copyRecordsModule] = { ...(imports[setup.copyRecordsModule] ?? {}), [COPY_RECORDS_IMPORT]: copyRecords };

    let instance: WebAssembly.Instance;
    hooks.enter(index); // a start function runs under the time budget too
    try {
      instance = new WebAssembly.Instance(setup.module, imports);
    } catch (err) {
      throw this.#failure(err, 'instantiation');
    } finally {
      hooks.leave();
    }
    const ex = instance.exports;
    memory = ex[MEMORY_EXPORT] as WebAssembly.Memory;
    this.#memory = memory;
    this.#alloc = ex[ALLOC_EXPORT] as (len: number) => number;
    this.#transform = ex[setup.transform] as EntryFn;
    this.#init = ex[INIT_EXPORT] as EntryFn | undefined;
    this.#lookBack = ex[LOOK_BACK_EXPORT] as EntryFn | undefined;
    for (const [fn, what] of [[this.#transform, setup.transform], [this.#init, INIT_EXPORT], [this.#lookBack, LOOK_BACK_EXPORT]] as const) {
      if (fn !== undefined && fn.length !== 3) {
        throw new SandboxFailure({ type: 'load', module: index, detail: `export "${what}" must take (ptr, len, version), it takes ${fn.length} parameters` });
      }
    }
  }

  get hasLookBack(): boolean {
    return this.#lookBack !== undefined;
  }

  /** Calls `init` with the params (Fluvio: right after instantiation). */
  init(): void {
    if (!this.#init) return;
    const size = this.#extraParams.length;
    const ptr = this.#allocate(size);
    this.#u8.set(this.#extraParams, ptr);
    const rc = this.#call(this.#init, ptr, size, 'init');
    if (rc >= 0) return;
    if (this.#outPtr >= 0) {
      let hint: string;
      try {
        hint = decodeInitOutput(this.#views(), this.#dv, this.#outPtr, this.#outLen);
      } catch (err) {
        throw this.#abi(0, `init returned ${rc} with an undecodable error: ${(err as Error).message}`);
      }
      throw new SandboxFailure({ type: 'init', module: this.index, hint });
    }
    if (rc === INIT_STATUS_INIT_ERROR) throw new SandboxFailure({ type: 'init', module: this.index, hint: statusMessage('init', rc) });
    throw this.#abi(rc, `init ${statusMessage('init', rc)}`);
  }

  /** Runs the transform over one records section; the result's records are a view into guest memory. */
  process(records: Uint8Array, baseOffset: bigint, baseTimestamp: bigint): TransformOutput {
    const acc = this.accumulator;
    const size = inputSize(this.version, records.length, this.#extraParams.length, acc === null ? null : acc.length);
    const ptr = this.#allocate(size);
    writeInput(this.#u8, this.#dv, ptr, this.version, baseOffset, baseTimestamp, records, this.#extraParams, acc);
    const rc = this.#call(this.#transform, ptr, size, 'transform');
    if (rc < 0) throw this.#abi(rc, statusMessage('transform', rc));
    if (this.#outPtr < 0) {
      if (rc === 0 && acc === null) return { recordsStart: 0, recordsEnd: 0, count: 0, maxTimestampDelta: 0, maxOffsetDelta: -1, error: null, accumulator: null };
      throw this.#abi(0, `returned ${rc} without calling copy_records`);
    }
    let out: TransformOutput;
    try {
      out = decodeTransformOutput(this.#views(), this.#dv, this.#outPtr, this.#outLen, acc !== null);
    } catch (err) {
      throw this.#abi(0, `returned output that does not decode: ${(err as Error).message}`);
    }
    // Fluvio keeps whatever accumulator the module returns (its SDK returns the input one for empty batches)
    if (out.accumulator) this.accumulator = out.accumulator.slice();
    return out;
  }

  /** Feeds look-back records once, before streaming. */
  lookBack(records: Uint8Array, baseOffset: bigint, baseTimestamp: bigint): void {
    if (!this.#lookBack) return;
    const size = inputSize(this.version, records.length, this.#extraParams.length, null);
    const ptr = this.#allocate(size);
    writeInput(this.#u8, this.#dv, ptr, this.version, baseOffset, baseTimestamp, records, this.#extraParams, null);
    const rc = this.#call(this.#lookBack, ptr, size, 'look_back');
    if (rc >= 0) return;
    if (this.#outPtr >= 0) {
      try {
        const fields = decodeLookBackOutput(this.#views(), this.#dv, this.#outPtr, this.#outLen);
        throw new SandboxFailure({ type: 'lookback', module: this.index, fields });
      } catch (err) {
        if (err instanceof SandboxFailure) throw err;
        throw this.#abi(rc, `look_back failed with an undecodable error: ${(err as Error).message}`);
      }
    }
    throw this.#abi(rc, `look_back ${statusMessage('look_back', rc)}`);
  }

  /** Bytes of the records section currently in guest memory (valid until the next call on this module). */
  view(start: number, end: number): Uint8Array {
    return this.#views().subarray(start, end);
  }

  close(): void {
    this.#stdout.flush();
    this.#stderr.flush();
  }

  #views(): Uint8Array {
    const buf = this.#memory.buffer;
    if (buf !== this.#buffer) {
      this.#buffer = buf;
      this.#u8 = new Uint8Array(buf);
      this.#dv = new DataView(buf);
    }
    return this.#u8;
  }

  #allocate(size: number): number {
    this.#hooks.enter(this.index);
    let ptr: number;
    try {
      ptr = this.#alloc(size) >>> 0;
    } catch (err) {
      throw this.#failure(err, 'alloc');
    } finally {
      this.#hooks.leave();
    }
    const mem = this.#views();
    if (ptr + size > mem.length) throw this.#abi(0, `alloc(${size}) returned ${ptr}, outside its ${mem.length}-byte memory`);
    return ptr;
  }

  #call(fn: EntryFn, ptr: number, size: number, entry: EntryPoint): number {
    this.#outPtr = -1;
    this.#outLen = 0;
    this.#hooks.enter(this.index);
    try {
      return fn(ptr, size, this.version);
    } catch (err) {
      throw this.#failure(err, entry);
    } finally {
      this.#hooks.leave();
      this.#stdout.endCall();
      this.#stderr.endCall();
    }
  }

  #abi(status: number, detail: string): SandboxFailure {
    return new SandboxFailure({ type: 'abi', module: this.index, status, detail });
  }

  /** Classifies an exception thrown out of the guest. */
  #failure(err: unknown, where: string): SandboxFailure {
    if (err instanceof SandboxFailure) return err;
    if (err instanceof WasiExit) return new SandboxFailure({ type: 'trap', module: this.index, detail: err.message });
    const message = err instanceof Error ? err.message : String(err);
    if (err instanceof RangeError && /call stack/i.test(message)) {
      return new SandboxFailure({ type: 'trap', module: this.index, detail: `stack overflow in ${where}` });
    }
    if (err instanceof RangeError && /memory/i.test(message)) {
      return new SandboxFailure({ type: 'memory', module: this.index, detail: message });
    }
    // Allocators abort (trap) when memory.grow fails; a trap with memory near the cap is an out-of-memory.
    // (this.#memory is unset when instantiation itself trapped)
    const used = this.#memory ? this.#memory.buffer.byteLength : 0;
    if (err instanceof WebAssembly.RuntimeError && used + Math.max(this.#memoryLimit / 8, 1 << 20) > this.#memoryLimit) {
      const mib = (n: number): string => (n / (1 << 20)).toFixed(1);
      return new SandboxFailure({ type: 'memory', module: this.index, detail: `${where} trapped (${message}) with ${mib(used)} MiB in use` });
    }
    return new SandboxFailure({ type: 'trap', module: this.index, detail: `${message} in ${where}` });
  }
}
