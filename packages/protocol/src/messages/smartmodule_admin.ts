import { struct, array, i16, i64, option, string, bytes } from '../codec/schema.ts';
import type { Infer } from '../codec/schema.ts';

export const SmartModuleSpec = struct({
  /** 'name' or 'name:version' style identifiers are both plain names here. */
  version: string,
  description: string,
  /** Exports found in the wasm: filter, map, filter_map, array_map, aggregate, init, look_back. */
  exports: array(string),
  sizeBytes: i64,
  sha256: string,
  createdMs: i64,
});
export type SmartModuleSpec = Infer<typeof SmartModuleSpec>;

/** Metadata only: listing never carries the wasm payload. */
export const SmartModuleMeta = struct({ name: string, spec: SmartModuleSpec });
export type SmartModuleMeta = Infer<typeof SmartModuleMeta>;

export const CreateSmartModuleRequest = struct({
  name: string,
  version: string,
  description: string,
  wasm: bytes,
});
export type CreateSmartModuleRequest = Infer<typeof CreateSmartModuleRequest>;

export const DeleteSmartModuleRequest = struct({ name: string });
export type DeleteSmartModuleRequest = Infer<typeof DeleteSmartModuleRequest>;

/** An empty list asks for every module. */
export const ListSmartModulesRequest = struct({ names: array(string) });
export type ListSmartModulesRequest = Infer<typeof ListSmartModulesRequest>;

export const ListSmartModulesResponse = struct({
  errorCode: i16,
  errorMessage: option(string),
  modules: array(SmartModuleMeta),
});
export type ListSmartModulesResponse = Infer<typeof ListSmartModulesResponse>;
