// wasi-nn for graph operators (ABI.md, "wasi-nn"): the core-module wasi-nn API the host offers
// as import module `wasi_ephemeral_nn` to graphs with `features: [{name: wasi-nn}]`, and a thin
// API over it. Azure's snapshot operator uses wasi-nn's component form the same way: load an
// ONNX model, make an execution context, set the input tensor, compute, read the output.

// @ts-ignore: decorator
@external("wasi_ephemeral_nn", "load")
declare function nn_load(builders: usize, count: u32, encoding: u32, target: u32, graphOut: usize): u32;
// @ts-ignore: decorator
@external("wasi_ephemeral_nn", "init_execution_context")
declare function nn_init_execution_context(graph: u32, ctxOut: usize): u32;
// @ts-ignore: decorator
@external("wasi_ephemeral_nn", "set_input")
declare function nn_set_input(ctx: u32, index: u32, tensor: usize): u32;
// @ts-ignore: decorator
@external("wasi_ephemeral_nn", "compute")
declare function nn_compute(ctx: u32): u32;
// @ts-ignore: decorator
@external("wasi_ephemeral_nn", "get_output")
declare function nn_get_output(ctx: u32, index: u32, out: usize, outMax: u32, writtenOut: usize): u32;

/** Graph encodings (witx `graph_encoding`). */
export const NN_ENCODING_ONNX: u32 = 1;
/** Execution targets (witx `execution_target`). */
export const NN_TARGET_CPU: u32 = 0;
/** Tensor element types (witx `tensor_type`). */
export const TENSOR_F16: u8 = 0;
export const TENSOR_F32: u8 = 1;
export const TENSOR_F64: u8 = 2;
export const TENSOR_U8: u8 = 3;
export const TENSOR_I32: u8 = 4;
export const TENSOR_I64: u8 = 5;

const ERROR_NAMES: string[] = [
  "success", "invalid argument", "invalid encoding", "missing memory", "busy", "runtime error",
  "unsupported operation", "too large", "not found",
];

/** The error code of the last failed wasi-nn call (0 after a success). */
export let nnError: u32 = 0;

/** A wasi-nn error code's name ("invalid argument"). */
export function nnErrorName(code: u32): string {
  return code < <u32>ERROR_NAMES.length ? ERROR_NAMES[code] : "error " + code.toString();
}

// Scratch for the calls' out-parameters and descriptors (calls are never concurrent).
const scratch = memory.data(32);

/** A loaded model. */
export class NnGraph {
  handle: u32;
  constructor(handle: u32) {
    this.handle = handle;
  }

  /**
   * Loads the model whose bytes are [model, model + length) (the host copies them: pass
   * `changetype<usize>(aStaticArray)` or `aUint8Array.dataStart`); null on failure (`nnError`).
   */
  static load(model: usize, length: usize, encoding: u32 = NN_ENCODING_ONNX, target: u32 = NN_TARGET_CPU): NnGraph | null {
    store<u32>(scratch, <u32>model);
    store<u32>(scratch, <u32>length, 4);
    nnError = nn_load(scratch, 1, encoding, target, scratch + 8);
    return nnError == 0 ? new NnGraph(load<u32>(scratch, 8)) : null;
  }

  /** An execution context over this graph; null on failure. */
  initExecutionContext(): NnContext | null {
    nnError = nn_init_execution_context(this.handle, scratch);
    return nnError == 0 ? new NnContext(load<u32>(scratch)) : null;
  }
}

/** An execution context: inputs set, computed, outputs read. */
export class NnContext {
  handle: u32;
  constructor(handle: u32) {
    this.handle = handle;
  }

  /** Sets input `index` to the tensor of `dims` and `type` whose bytes are [data, data + length). */
  setInput(index: u32, dims: StaticArray<u32>, type: u8, data: usize, length: usize): bool {
    store<u32>(scratch, <u32>changetype<usize>(dims));
    store<u32>(scratch, <u32>dims.length, 4);
    store<u32>(scratch, <u32>type, 8);
    store<u32>(scratch, <u32>data, 12);
    store<u32>(scratch, <u32>length, 16);
    nnError = nn_set_input(this.handle, index, scratch);
    return nnError == 0;
  }

  compute(): bool {
    nnError = nn_compute(this.handle);
    return nnError == 0;
  }

  /** Copies output `index` to [out, out + capacity); its byte length, or -1 on failure. */
  getOutput(index: u32, out: usize, capacity: u32): i32 {
    nnError = nn_get_output(this.handle, index, out, capacity, scratch + 20);
    return nnError == 0 ? <i32>load<u32>(scratch, 20) : -1;
  }
}
