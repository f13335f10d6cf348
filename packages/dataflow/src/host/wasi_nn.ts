/**
 * The wasi-nn host API for graph operators (`features: [{name: wasi-nn}]`): the core-module
 * (witx) form of wasi-nn, import module `wasi_ephemeral_nn` (load, init_execution_context,
 * set_input, compute, get_output), backed by ONNX Runtime's Node binding on the CPU.
 *
 * The calls are synchronous, as wasm imports must be: the binding's session.run is, and loading
 * a model from bytes completes inside loadModel (its promise is already settled), so the host
 * checks the session's metadata instead of awaiting it. Each failure returns a wasi-nn error
 * code and keeps a one-line reason that the operator's failure message carries.
 */
import { createRequire } from 'node:module';
import { inspect } from 'node:util';

export const WASI_NN_MODULE = 'wasi_ephemeral_nn';
export const WASI_NN_FEATURE = 'wasi-nn';
export const WASI_NN_IMPORTS = new Set(['load', 'init_execution_context', 'set_input', 'compute', 'get_output']);

// witx errno
export const NN_SUCCESS = 0;
export const NN_INVALID_ARGUMENT = 1;
export const NN_INVALID_ENCODING = 2;
export const NN_RUNTIME_ERROR = 5;
export const NN_UNSUPPORTED_OPERATION = 6;
export const NN_TOO_LARGE = 7;
export const NN_NOT_FOUND = 8;

// witx graph_encoding and execution_target
const ENCODING_ONNX = 1;
const ENCODING_AUTODETECT = 6;
const TARGET_CPU = 0;

/** witx tensor_type → ONNX Runtime's type name and element size. */
const TENSOR_TYPES: readonly { name: string; ort: number; size: number }[] = [
  { name: 'f16', ort: 10, size: 2 },
  { name: 'f32', ort: 1, size: 4 },
  { name: 'f64', ort: 11, size: 8 },
  { name: 'u8', ort: 2, size: 1 },
  { name: 'i32', ort: 6, size: 4 },
  { name: 'i64', ort: 7, size: 8 },
];
const ORT_TYPE_NAMES: Record<number, string> = { 1: 'float32', 2: 'uint8', 6: 'int32', 7: 'int64', 10: 'float16', 11: 'float64' };

/** Tensor descriptor (wasm32): dims (ptr, len) at 0, type u8 at 8, data (ptr, len) at 12; 20 bytes. */
const TENSOR_BYTES = 20;

interface ValueMetadata {
  name: string;
  isTensor: boolean;
  shape: number[];
  type: number;
}
interface OrtTensor {
  readonly data: ArrayBufferView;
  readonly dims: readonly number[];
}
interface NativeSession {
  loadModel(buffer: ArrayBuffer, byteOffset: number, byteLength: number, options: object): Promise<void>;
  readonly inputMetadata: ValueMetadata[];
  readonly outputMetadata: ValueMetadata[];
  run(feeds: Record<string, OrtTensor>, fetches: Record<string, null>, options: object): Record<string, OrtTensor>;
  dispose(): void;
}
interface Ort {
  binding: { InferenceSession: new () => NativeSession };
  initOrt(): void;
  Tensor: new (type: string, data: ArrayBufferView, dims: readonly number[]) => OrtTensor;
}

let ort: Ort | null = null;

/** ONNX Runtime, loaded on first use: graphs without wasi-nn never load the native library. */
function onnxRuntime(): Ort {
  if (ort === null) {
    const require = createRequire(import.meta.url);
    const { binding, initOrt } = require('onnxruntime-node/dist/binding') as Pick<Ort, 'binding' | 'initOrt'>;
    const { Tensor } = require('onnxruntime-node') as Pick<Ort, 'Tensor'>;
    initOrt();
    ort = { binding, initOrt, Tensor };
  }
  return ort;
}

/** Why a settled promise was rejected, read without waiting (the load above settles at once). */
function rejection(p: Promise<unknown>): string | null {
  const shown = inspect(p, { depth: 0 });
  const m = /<rejected>\s+(?:\[?\w*Error:?\]?:?\s*)?([^\n]*)/.exec(shown);
  return m === null ? null : m[1].trim();
}

interface LoadedGraph {
  session: NativeSession;
  inputs: ValueMetadata[];
  outputs: ValueMetadata[];
}

interface ExecutionContext {
  graph: LoadedGraph;
  /** Per model input: the tensor set_input gave (its buffer reused from call to call). */
  inputs: (OrtTensor | null)[];
  feeds: Record<string, OrtTensor>;
  fetches: Record<string, null>;
  results: Record<string, OrtTensor> | null;
}

const shape = (dims: readonly number[]): string => `[${dims.join(',')}]`;

/** One operator instance's wasi-nn: its graphs and execution contexts (handles are indexes). */
export class WasiNnHost {
  private readonly graphs: LoadedGraph[] = [];
  private readonly contexts: ExecutionContext[] = [];
  /** The reason of the last failed call, for the operator's failure message. */
  lastError: string | null = null;

  /** The `wasi_ephemeral_nn` imports over the module's memory (`memory()` is read per call: it may grow). */
  imports(memory: () => WebAssembly.Memory): Record<string, (...args: number[]) => number> {
    const view = () => new DataView(memory().buffer);
    const bytes = (ptr: number, len: number): Uint8Array | null => {
      const size = memory().buffer.byteLength;
      return ptr < 0 || len < 0 || ptr + len > size ? null : new Uint8Array(memory().buffer, ptr, len);
    };
    return {
      load: (buildersPtr, count, encoding, target, graphOut) => {
        if (encoding !== ENCODING_ONNX && encoding !== ENCODING_AUTODETECT) return this.fail(NN_INVALID_ENCODING, `load: graph encoding ${encoding} is not supported (ONNX, 1, is)`);
        if (target !== TARGET_CPU) return this.fail(NN_UNSUPPORTED_OPERATION, `load: execution target ${target} is not supported (CPU, 0, is)`);
        if (count !== 1) return this.fail(NN_INVALID_ARGUMENT, `load: an ONNX graph is one builder (the model bytes), not ${count}`);
        const v = view();
        if (bytes(buildersPtr, 8) === null || bytes(graphOut, 4) === null) return this.fail(NN_INVALID_ARGUMENT, 'load: arguments outside the module memory');
        const model = bytes(v.getUint32(buildersPtr, true), v.getUint32(buildersPtr + 4, true));
        if (model === null) return this.fail(NN_INVALID_ARGUMENT, 'load: the model bytes lie outside the module memory');
        const graph = this.loadOnnx(model.slice());
        if (typeof graph === 'string') return this.fail(NN_INVALID_ENCODING, `load: ONNX Runtime could not load the model: ${graph}`);
        this.graphs.push(graph);
        view().setUint32(graphOut, this.graphs.length - 1, true);
        return NN_SUCCESS;
      },
      init_execution_context: (graphHandle, ctxOut) => {
        const graph = this.graphs[graphHandle];
        if (graph === undefined) return this.fail(NN_NOT_FOUND, `init_execution_context: no graph ${graphHandle}`);
        if (bytes(ctxOut, 4) === null) return this.fail(NN_INVALID_ARGUMENT, 'init_execution_context: argument outside the module memory');
        const fetches: Record<string, null> = {};
        for (const o of graph.outputs) fetches[o.name] = null;
        this.contexts.push({ graph, inputs: graph.inputs.map(() => null), feeds: {}, fetches, results: null });
        view().setUint32(ctxOut, this.contexts.length - 1, true);
        return NN_SUCCESS;
      },
      set_input: (ctxHandle, index, tensorPtr) => {
        const ctx = this.contexts[ctxHandle];
        if (ctx === undefined) return this.fail(NN_NOT_FOUND, `set_input: no execution context ${ctxHandle}`);
        const meta = ctx.graph.inputs[index];
        if (meta === undefined) return this.fail(NN_INVALID_ARGUMENT, `set_input: the model has ${ctx.graph.inputs.length} input(s), no input ${index}`);
        if (bytes(tensorPtr, TENSOR_BYTES) === null) return this.fail(NN_INVALID_ARGUMENT, 'set_input: tensor descriptor outside the module memory');
        const v = view();
        const dimsBytes = bytes(v.getUint32(tensorPtr, true), v.getUint32(tensorPtr + 4, true) * 4);
        const type = TENSOR_TYPES[v.getUint8(tensorPtr + 8)];
        const data = bytes(v.getUint32(tensorPtr + 12, true), v.getUint32(tensorPtr + 16, true));
        if (dimsBytes === null || data === null) return this.fail(NN_INVALID_ARGUMENT, 'set_input: tensor dimensions or data outside the module memory');
        if (type === undefined) return this.fail(NN_INVALID_ARGUMENT, `set_input: unknown tensor type ${v.getUint8(tensorPtr + 8)}`);
        const dims: number[] = [];
        for (let i = 0; i < dimsBytes.length; i += 4) dims.push(v.getUint32(dimsBytes.byteOffset + i, true));
        // Checked here, so a wrong tensor fails with what the model expects, not an ORT trace.
        if (type.ort !== meta.type) {
          return this.fail(NN_INVALID_ARGUMENT, `set_input: input "${meta.name}" is ${ORT_TYPE_NAMES[meta.type] ?? `type ${meta.type}`}, the tensor given is ${type.name}`);
        }
        const fits = dims.length === meta.shape.length && dims.every((d, i) => meta.shape[i] < 0 || meta.shape[i] === d);
        if (!fits) return this.fail(NN_INVALID_ARGUMENT, `set_input: input "${meta.name}" has shape ${shape(meta.shape)}, the tensor given ${shape(dims)}`);
        const elements = dims.reduce((a, b) => a * b, 1);
        if (data.length !== elements * type.size) {
          return this.fail(NN_INVALID_ARGUMENT, `set_input: a ${shape(dims)} ${type.name} tensor is ${elements * type.size} bytes, the data given ${data.length}`);
        }
        let tensor = ctx.inputs[index];
        if (tensor === null || tensor.data.byteLength !== data.length || tensor.dims.some((d, i) => d !== dims[i])) {
          tensor = this.newTensor(type.ort, data.length, dims);
          ctx.inputs[index] = tensor;
          ctx.feeds[meta.name] = tensor;
        }
        // One copy out of the module memory (which may grow, detaching views, before compute).
        new Uint8Array(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength).set(data);
        return NN_SUCCESS;
      },
      compute: (ctxHandle) => {
        const ctx = this.contexts[ctxHandle];
        if (ctx === undefined) return this.fail(NN_NOT_FOUND, `compute: no execution context ${ctxHandle}`);
        const missing = ctx.graph.inputs.findIndex((_, i) => ctx.inputs[i] === null);
        if (missing >= 0) return this.fail(NN_INVALID_ARGUMENT, `compute: input ${missing} ("${ctx.graph.inputs[missing].name}") was not set`);
        try {
          ctx.results = ctx.graph.session.run(ctx.feeds, ctx.fetches, {});
        } catch (err) {
          ctx.results = null;
          return this.fail(NN_RUNTIME_ERROR, `compute: ONNX Runtime: ${oneLine((err as Error).message)}`);
        }
        return NN_SUCCESS;
      },
      get_output: (ctxHandle, index, outPtr, outMax, writtenPtr) => {
        const ctx = this.contexts[ctxHandle];
        if (ctx === undefined) return this.fail(NN_NOT_FOUND, `get_output: no execution context ${ctxHandle}`);
        if (ctx.results === null) return this.fail(NN_INVALID_ARGUMENT, 'get_output: called before a successful compute');
        const meta = ctx.graph.outputs[index];
        if (meta === undefined) return this.fail(NN_INVALID_ARGUMENT, `get_output: the model has ${ctx.graph.outputs.length} output(s), no output ${index}`);
        const t = ctx.results[meta.name].data;
        const out = bytes(outPtr, Math.min(outMax, t.byteLength));
        if (out === null || bytes(writtenPtr, 4) === null) return this.fail(NN_INVALID_ARGUMENT, 'get_output: arguments outside the module memory');
        if (t.byteLength > outMax) return this.fail(NN_TOO_LARGE, `get_output: output "${meta.name}" is ${t.byteLength} bytes, the buffer given ${outMax}`);
        out.set(new Uint8Array(t.buffer, t.byteOffset, t.byteLength));
        view().setUint32(writtenPtr, t.byteLength, true);
        return NN_SUCCESS;
      },
    };
  }

  /** A loaded graph, or why it could not be loaded. */
  private loadOnnx(model: Uint8Array): LoadedGraph | string {
    let rt: Ort;
    try {
      rt = onnxRuntime();
    } catch (err) {
      return `the ONNX Runtime binding (onnxruntime-node) is not available: ${oneLine((err as Error).message)}`;
    }
    const session = new rt.binding.InferenceSession();
    let loading: Promise<void>;
    try {
      loading = session.loadModel(model.buffer as ArrayBuffer, model.byteOffset, model.byteLength, {});
    } catch (err) {
      return oneLine((err as Error).message);
    }
    loading.catch(() => {}); // read below, not awaited
    const failed = rejection(loading);
    if (failed !== null) return failed;
    try {
      return { session, inputs: session.inputMetadata, outputs: session.outputMetadata };
    } catch (err) {
      return oneLine((err as Error).message);
    }
  }

  private newTensor(ortType: number, byteLength: number, dims: readonly number[]): OrtTensor {
    const buf = new ArrayBuffer(byteLength);
    const data =
      ortType === 1 ? new Float32Array(buf) : ortType === 11 ? new Float64Array(buf) : ortType === 2 ? new Uint8Array(buf)
      : ortType === 6 ? new Int32Array(buf) : ortType === 7 ? new BigInt64Array(buf) : new Uint16Array(buf);
    return new (onnxRuntime().Tensor)(ORT_TYPE_NAMES[ortType], data, dims);
  }

  private fail(code: number, why: string): number {
    this.lastError = why;
    return code;
  }

  /** Releases the ONNX Runtime sessions. */
  dispose(): void {
    for (const g of this.graphs) g.session.dispose();
    this.graphs.length = 0;
    this.contexts.length = 0;
  }
}

function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, ' ').trim();
}
