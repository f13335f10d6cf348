/// <reference path="./webassembly.d.ts" />
// @eddy/smartengine/internal: what the broker, clients and graph operators share beyond the
// public face (mod.ts).
// Fetched record batches through a chain: one path for the broker's streams and clients' local chains.
export { PassSubmitter, sectionOf, type BatchPass } from './pass_submitter.ts';
// A failure's wire form (SmartModuleErrorInfo) both ways.
export { errorInfo, toWireError } from './wire_error.ts';
// The memory cap (rewrites the module's declared maximum), shared with graph operators.
export { capMemory, isWasm, WasmBinaryError, type MemoryLimits } from './wasm_binary.ts';
