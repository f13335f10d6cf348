import { struct, array, defaulted, i16, i64, option, string, bytes } from '../codec/schema.ts';
import type { Infer, Schema } from '../codec/schema.ts';

/** What a registered module is, by its exports. */
export const ModuleKind = { smartmodule: 'smartmodule', graphOperator: 'graph-operator' } as const;
export type ModuleKind = (typeof ModuleKind)[keyof typeof ModuleKind];

const smartModuleSpecV0Fields = {
  version: string,
  description: string,
  /**
   * Exports found in the wasm: filter, map, filter_map, array_map, aggregate, init, look_back for
   * a SmartModule; graph_abi_version, graph_init and graph_<type> for a graph operator module.
   */
  exports: array(string),
  /** 'smartmodule' | 'graph-operator' (a module exporting graph_abi_version). */
  kind: string,
  /** Graph operator types the module provides (map, filter, branch, accumulate, delay); [] for SmartModules. */
  operators: array(string),
  sizeBytes: i64,
  sha256: string,
  createdMs: i64,
};

/**
 * A registered module version. Modules are referenced as `name:version`; a bare `name` means the
 * module's only version. ListSmartModules v1 onwards carries `abiVersion`: the SmartModule ABI
 * version every stream using the module calls it with, unless the stream names one (a Fluvio
 * module built before ABI 22 needs its own); null = the engine's default (the newest).
 */
export const SmartModuleSpec = struct({ ...smartModuleSpecV0Fields, abiVersion: option(i16) });
export type SmartModuleSpec = Infer<typeof SmartModuleSpec>;

/** The layout before ABI versions were recorded (ListSmartModules v0, WatchMetadata): read as unset. */
export const SmartModuleSpecV0 = defaulted(struct(smartModuleSpecV0Fields), { abiVersion: null as number | null });

/** Metadata only: listing never carries the wasm payload. */
export const SmartModuleMeta = struct({ name: string, spec: SmartModuleSpec });
export type SmartModuleMeta = Infer<typeof SmartModuleMeta>;

/** SmartModuleMeta in the v0 layout (no ABI version). */
export const SmartModuleMetaV0 = struct({ name: string, spec: SmartModuleSpecV0 });

const createSmartModuleV0Fields = { name: string, version: string, description: string, wasm: bytes };

/**
 * Registers a module version. `abiVersion` (v1 onwards) is the SmartModule ABI version streams
 * call it with when they name none; absent or null = the engine's default. Optional in the model
 * so callers that never set it need not spell it out.
 */
export interface CreateSmartModuleRequest {
  name: string;
  version: string;
  description: string;
  wasm: Buffer;
  abiVersion?: number | null;
}

export const CreateSmartModuleRequestV0: Schema<CreateSmartModuleRequest> = defaulted(struct(createSmartModuleV0Fields), { abiVersion: null as number | null });
// option() writes an absent (undefined) abiVersion as none.
export const CreateSmartModuleRequest: Schema<CreateSmartModuleRequest> = struct({ ...createSmartModuleV0Fields, abiVersion: option(i16) });

/** `name:version` deletes that version; a bare `name` deletes every version. */
export const DeleteSmartModuleRequest = struct({ name: string });
export type DeleteSmartModuleRequest = Infer<typeof DeleteSmartModuleRequest>;

/** An empty list asks for every module; entries are `name` (all its versions) or `name:version`. */
export const ListSmartModulesRequest = struct({ names: array(string) });
export type ListSmartModulesRequest = Infer<typeof ListSmartModulesRequest>;

export const ListSmartModulesResponse = struct({
  errorCode: i16,
  errorMessage: option(string),
  modules: array(SmartModuleMeta),
});
export type ListSmartModulesResponse = Infer<typeof ListSmartModulesResponse>;

export const ListSmartModulesResponseV0 = struct({
  errorCode: i16,
  errorMessage: option(string),
  modules: array(SmartModuleMetaV0),
});

/** Module versions: 1..64 characters of [A-Za-z0-9._+-] (semver and friends; never ':'). */
export const MODULE_VERSION_RE = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$/;

/** A module reference, `name:version` or a bare `name` (version null). */
export interface ModuleRefText { name: string; version: string | null }

/** Splits `name:version` at the last ':'; names never contain one. */
export function parseModuleRef(ref: string): ModuleRefText {
  const i = ref.lastIndexOf(':');
  return i < 0 ? { name: ref, version: null } : { name: ref.slice(0, i), version: ref.slice(i + 1) };
}

export function formatModuleRef(name: string, version: string): string {
  return `${name}:${version}`;
}
