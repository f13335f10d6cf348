// Compiles each distinct wasm once (keyed by SHA-256), with its memory capped, and
// checks it is a SmartModule Eddy can run: its imports and exports are what Fluvio's engine accepts.
import { createHash } from 'node:crypto';
import {
  ALLOC_EXPORT,
  COPY_RECORDS_IMPORT,
  INIT_EXPORT,
  LOOK_BACK_EXPORT,
  MEMORY_EXPORT,
  TRANSFORM_EXPORTS,
  WASI_MODULE,
  WASI_PREVIEW1_FUNCTIONS,
  WASM_PAGE_BYTES,
} from './abi.ts';
import type { SmartModuleInfo } from './types.ts';
import { capMemory, isWasm, WasmBinaryError } from './wasm_binary.ts';

export interface CompiledSmartModule {
  module: WebAssembly.Module;
  info: SmartModuleInfo;
}

/** Why a wasm is refused; turned into a SmartModuleLoadError naming the spec. */
export class ModuleRejected extends Error {}

const WASI_NAMES = new Set(WASI_PREVIEW1_FUNCTIONS);
const DEFAULT_CAPACITY = 128;

export class ModuleCache {
  readonly #maxPages: number;
  readonly #capacity: number;
  readonly #entries = new Map<string, Promise<CompiledSmartModule>>();

  constructor(memoryLimitBytes: number, capacity = DEFAULT_CAPACITY) {
    this.#maxPages = Math.floor(memoryLimitBytes / WASM_PAGE_BYTES);
    this.#capacity = capacity;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** Rejects with ModuleRejected when the bytes are not a usable SmartModule. */
  load(wasm: Uint8Array): Promise<CompiledSmartModule> {
    const sha256 = createHash('sha256').update(wasm).digest('hex');
    let entry = this.#entries.get(sha256);
    if (entry) {
      // least recently used goes first when full
      this.#entries.delete(sha256);
      this.#entries.set(sha256, entry);
      return entry;
    }
    entry = this.#compile(wasm, sha256);
    this.#entries.set(sha256, entry);
    entry.catch(() => this.#entries.delete(sha256));
    while (this.#entries.size > this.#capacity) this.#entries.delete(this.#entries.keys().next().value!);
    return entry;
  }

  async #compile(wasm: Uint8Array, sha256: string): Promise<CompiledSmartModule> {
    if (!isWasm(wasm)) throw new ModuleRejected(`not a WebAssembly module (${wasm.length} bytes, bad magic number)`);
    let patched: Uint8Array;
    try {
      patched = capMemory(wasm, this.#maxPages).bytes;
    } catch (err) {
      if (err instanceof WasmBinaryError) throw new ModuleRejected(err.message);
      throw err;
    }
    let module: WebAssembly.Module;
    try {
      module = await WebAssembly.compile(patched as Uint8Array<ArrayBuffer>);
    } catch (err) {
      throw new ModuleRejected(`invalid WebAssembly: ${(err as Error).message}`);
    }
    return { module, info: describe(module, sha256) };
  }
}

function describe(module: WebAssembly.Module, sha256: string): SmartModuleInfo {
  let copyRecordsModule: string | undefined;
  let usesWasi = false;
  for (const imp of WebAssembly.Module.imports(module)) {
    if (imp.kind === 'function' && imp.name === COPY_RECORDS_IMPORT && imp.module !== WASI_MODULE) {
      if (copyRecordsModule !== undefined) throw new ModuleRejected('imports copy_records twice');
      copyRecordsModule = imp.module;
    } else if (imp.kind === 'function' && imp.module === WASI_MODULE && WASI_NAMES.has(imp.name)) {
      usesWasi = true;
    } else if (imp.kind === 'memory') {
      throw new ModuleRejected(`imports its memory ("${imp.module}"."${imp.name}"); a SmartModule must define and export it`);
    } else {
      throw new ModuleRejected(
        `imports ${imp.kind} "${imp.module}"."${imp.name}", which the host does not provide (only copy_records and WASI preview 1)`,
      );
    }
  }
  if (copyRecordsModule === undefined) throw new ModuleRejected('does not import copy_records, so it cannot return records');

  const exports = new Map(WebAssembly.Module.exports(module).map((e) => [e.name, e.kind]));
  if (exports.get(MEMORY_EXPORT) !== 'memory') throw new ModuleRejected('does not export its memory as "memory"');
  if (exports.get(ALLOC_EXPORT) !== 'function') throw new ModuleRejected('does not export an "alloc" function');
  const transform = TRANSFORM_EXPORTS.find((name) => exports.get(name) === 'function');
  if (!transform) throw new ModuleRejected(`exports none of ${TRANSFORM_EXPORTS.join(', ')}`);
  return {
    sha256,
    transform,
    hasInit: exports.get(INIT_EXPORT) === 'function',
    hasLookBack: exports.get(LOOK_BACK_EXPORT) === 'function',
    usesWasi,
    copyRecordsModule,
  };
}
