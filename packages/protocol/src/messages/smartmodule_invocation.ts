import { struct, option, string, bytes, stringMap, i64, i16 } from '../codec/schema.ts';
import type { Infer } from '../codec/schema.ts';

/**
 * One SmartModule of a chain, as a consumer's fetch or a producer's request carries it: a module
 * registered on the cluster by `name`, or ad-hoc `wasm` bytes. Look-back is the last N records
 * and/or records younger than an age (-1 = unset). `kind` is a hint only (the engine picks the
 * transform from the module's exports, as Fluvio does); `version` -1 = newest ABI.
 */
export const SmartModuleInvocation = struct({
  name: option(string),
  wasm: option(bytes),
  kind: option(string),
  params: stringMap,
  lookbackLast: i64,
  lookbackAgeMs: i64,
  initialAccumulator: option(bytes),
  version: i16,
});
export type SmartModuleInvocation = Infer<typeof SmartModuleInvocation>;

/** A SmartModule failure reported to the client with the offending record's offset. */
export const SmartModuleErrorInfo = struct({
  moduleName: string,
  kind: string,
  hint: string,
  offset: i64,
  recordKey: option(bytes),
  recordValue: option(bytes),
});
export type SmartModuleErrorInfo = Infer<typeof SmartModuleErrorInfo>;
