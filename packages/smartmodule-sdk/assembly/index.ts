// @eddy/smartmodule-sdk: write Fluvio-compatible SmartModules in AssemblyScript.
//
// An author writes one function and marks it; the SDK's compiler transform (src/transform.js,
// in the SDK's build flags) generates the ABI exports that hand it to the runners below:
//
//   import { SmartModuleRecord } from "@eddy/smartmodule-sdk";
//
//   @filter
//   function keep(record: SmartModuleRecord): bool {
//     return record.valueContains("a");
//   }
//
// The exports can also be written by hand (`export { alloc, dealloc } from ...` and
// `export function filter(ptr: i32, len: i32, version: i32): i32 { return runFilter(ptr, len, version, keep); }`).
// See README.md for every decorator, entry point and helper.

export { alloc, dealloc } from "./abi";
export {
  runFilter, runMap, runFilterMap, runArrayMap, runAggregate, runAggregateBytes, runInit, runLookBack,
} from "./transforms";
export { SmartModuleRecord } from "./record";
export { Params, params } from "./params";
export { fail, failed } from "./error";
export { JsonValue, JSON_NULL, JSON_BOOL, JSON_NUMBER, JSON_STRING, JSON_ARRAY, JSON_OBJECT } from "./json";
export { parseJson, parseJsonBytes, parseJsonArray, jsonError } from "./json_parse";
export {
  parseIntBytes, parseFloatBytes, parseIntString, parseFloatString, parseOk, formatInt, formatFloat,
} from "./numbers";
export { log } from "./log";
export { smartModuleAbort } from "./abort";
