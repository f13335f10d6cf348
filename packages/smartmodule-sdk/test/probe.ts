// Runs the probe module (test/probe) with a bare WebAssembly host: env.copy_records and
// nothing else, as a Fluvio host would provide.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildIfStale } from '../src/build.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
let compiled: Promise<WebAssembly.Module> | null = null;

export function probeModule(): Promise<WebAssembly.Module> {
  compiled ??= buildIfStale({ projectDir: path.join(here, 'probe') }).then((r) => WebAssembly.compile(r.wasm));
  return compiled;
}

export interface CallResult {
  status: number;
  /** Bytes handed to copy_records during the call, or null when it was not called. */
  output: Uint8Array | null;
  trapped: Error | null;
}

export class ProbeInstance {
  readonly exports: Record<string, WebAssembly.ExportValue>;
  copyCalls = 0;
  private captured: Uint8Array | null = null;

  private constructor(instance: WebAssembly.Instance) {
    this.exports = instance.exports;
  }

  /** An instance of the probe module, or of any SmartModule `module`. */
  static async create(module?: WebAssembly.Module): Promise<ProbeInstance> {
    module ??= await probeModule();
    let self: ProbeInstance | null = null;
    const imports = WebAssembly.Module.imports(module);
    if (imports.length !== 1 || imports[0].module !== 'env' || imports[0].name !== 'copy_records') {
      throw new Error(`module imports ${JSON.stringify(imports)}, expected only env.copy_records`);
    }
    const instance = await WebAssembly.instantiate(module, {
      env: {
        copy_records: (ptr: number, len: number) => {
          const mem = new Uint8Array((self!.exports.memory as WebAssembly.Memory).buffer);
          self!.captured = mem.slice(ptr, ptr + len);
          self!.copyCalls++;
        },
      },
    });
    self = new ProbeInstance(instance);
    return self;
  }

  /** alloc + copy + call `name(ptr, len, version)`, as a host does. */
  call(name: string, input: Uint8Array, version: number): CallResult {
    const alloc = this.exports.alloc as (n: number) => number;
    const fn = this.exports[name] as (p: number, l: number, v: number) => number;
    if (typeof fn !== 'function') throw new Error(`probe has no export ${name}`);
    const ptr = alloc(input.length);
    new Uint8Array((this.exports.memory as WebAssembly.Memory).buffer).set(input, ptr);
    this.captured = null;
    try {
      const status = fn(ptr, input.length, version);
      return { status, output: this.captured, trapped: null };
    } catch (err) {
      return { status: 0, output: this.captured, trapped: err as Error };
    }
  }

  get memoryBytes(): number {
    return (this.exports.memory as WebAssembly.Memory).buffer.byteLength;
  }
}
