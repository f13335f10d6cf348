// @eddy/smartmodule-sdk/graph: dataflow graph operators (ABI.md in @eddy/dataflow) in
// AssemblyScript, in the shape of Azure IoT Operations' Rust SDK:
//
//   import { Message, MessageBuilder } from "@eddy/smartmodule-sdk/graph";
//
//   @map_operator
//   function toFahrenheit(input: Message): Message { ... }
//
// The transform generates graph_abi_version, graph_map (etc.), alloc and dealloc. Hand-written
// entry points use the runners or the low-level batch API (layout accessors + `output`).
// Import the graph API from here only: the SmartModule half of the SDK imports env.copy_records.

export { alloc, dealloc } from "../abi";
export { fail, failed } from "../error";
export { JsonValue, JSON_NULL, JSON_BOOL, JSON_NUMBER, JSON_STRING, JSON_ARRAY, JSON_OBJECT } from "../json";
export { parseJson, parseJsonBytes, parseJsonArray, jsonError } from "../json_parse";
export {
  parseIntBytes, parseFloatBytes, parseIntString, parseFloatString, parseOk, formatInt, formatFloat,
} from "../numbers";
export { Hlc, hlcNow, compareHlcAt, HLC_SIZE, NANOS_PER_MILLI, NANOS_PER_SECOND } from "./hlc";
export { Message, MessageBuilder, Property, PropertyCursor } from "./message";
export { ModuleConfiguration, Parameters, moduleConfiguration } from "./config";
export { Level, SetCondition, StateResult, stateStore, logger, metrics, Labels } from "./api";
export { GraphOutput, output } from "./output";
export { LeBuffer } from "./buffer";
export { decodeUtf8Lossy } from "./utf8";
export {
  NnGraph, NnContext, nnError, nnErrorName, NN_ENCODING_ONNX, NN_TARGET_CPU,
  TENSOR_F16, TENSOR_F32, TENSOR_F64, TENSOR_U8, TENSOR_I32, TENSOR_I64,
} from "./nn";
export {
  HEADER_SIZE, KIND_RAW, KIND_MESSAGE, KIND_SNAPSHOT, SNAPSHOT_PREFIX, checkBatch, batchCount, batchFirst, nextMessage, msgSize, msgPayloadLength,
  msgTimestampPtr, msgPhysical, msgKind, msgTopicLength, msgContentTypeLength, msgPropertyCount, msgTopicPtr,
  msgContentTypePtr, msgPayloadPtr, msgPropertiesPtr, msgPropertiesLength,
} from "./layout";
export {
  graph_abi_version, runMap, runFilter, runBranch, runDelay, runAccumulate, runInit, beginCall, endCall, failCall,
  GRAPH_ABI_VERSION, STATUS_BAD_INPUT, STATUS_FAILED,
} from "./runners";
