import { struct, array, i16, i64, option, string, bytes } from '../codec/schema.ts';
import type { Infer } from '../codec/schema.ts';

/** What a registered module is, by its exports. */
export const ModuleKind = { smartmodule: 'smartmodule', graphOperator: 'graph-operator' } as const;
export type ModuleKind = (typeof ModuleKind)[keyof typeof ModuleKind];

/**
 * A registered module version. Modules are referenced as `name:version`; a bare `name` means the
 * module's only version.
 */
export const SmartModuleSpec = struct({
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
