/**
 * Compiling a graph operator module: checks it is one (ABI.md: memory, alloc, dealloc,
 * graph_abi_version() = 1, imports only from `eddy_graph`), caps its memory, and lists the
 * operator types it provides.
 */
import { capMemory } from '@eddy/smartengine/internal';
import { GraphModuleError } from './errors.ts';
import { providedOperators } from '../definition/module_ref.ts';
import { WASI_NN_IMPORTS, WASI_NN_MODULE } from './wasi_nn.ts';

export const GRAPH_ABI_VERSION = 1;
export const OPERATOR_EXPORTS = {
  map: 'graph_map',
  filter: 'graph_filter',
  branch: 'graph_branch',
  delay: 'graph_delay',
  accumulate: 'graph_accumulate',
} as const;
export type ModuleOperatorType = keyof typeof OPERATOR_EXPORTS;

/** Imports a module may ask for (module `eddy_graph`). */
export const HOST_IMPORTS = new Set([
  'output', 'error', 'log', 'hlc_now', 'state_get', 'state_set', 'state_del', 'state_del_if_equal',
  'metric_counter', 'metric_histogram',
]);

/** Default memory cap per operator instance: 64 MiB. */
export const DEFAULT_MAX_MEMORY_BYTES = 64 * 1024 * 1024;

export interface CompiledOperatorModule {
  /** `name:version` (or the file it came from). */
  ref: string;
  module: WebAssembly.Module;
  provides: Set<ModuleOperatorType>;
  hasInit: boolean;
  /** It imports wasi-nn (`wasi_ephemeral_nn`): only graphs with the wasi-nn feature may run it. */
  usesWasiNn: boolean;
}


export function compileOperatorModule(ref: string, wasm: Uint8Array, maxMemoryBytes = DEFAULT_MAX_MEMORY_BYTES): CompiledOperatorModule {
  let capped: Uint8Array;
  try {
    capped = capMemory(wasm, Math.max(1, Math.floor(maxMemoryBytes / 65536))).bytes;
  } catch (err) {
    throw new GraphModuleError(ref, (err as Error).message);
  }
  let module: WebAssembly.Module;
  try {
    module = new WebAssembly.Module(capped as Uint8Array<ArrayBuffer>);
  } catch (err) {
    throw new GraphModuleError(ref, `is not valid WebAssembly: ${(err as Error).message}`);
  }
  let usesWasiNn = false;
  for (const imp of WebAssembly.Module.imports(module)) {
    if (imp.module === 'eddy_graph' && HOST_IMPORTS.has(imp.name) && imp.kind === 'function') continue;
    if (imp.module === WASI_NN_MODULE && WASI_NN_IMPORTS.has(imp.name) && imp.kind === 'function') {
      usesWasiNn = true;
      continue;
    }
    if (imp.module === 'env' && imp.name === 'abort' && imp.kind === 'function') continue;
    throw new GraphModuleError(ref, `imports "${imp.module}"."${imp.name}", which the graph host does not provide`);
  }
  const exports = new Map(WebAssembly.Module.exports(module).map((e) => [e.name, e.kind]));
  if (exports.get('memory') !== 'memory') throw new GraphModuleError(ref, 'does not export its memory as "memory"');
  for (const f of ['alloc', 'dealloc', 'graph_abi_version']) {
    if (exports.get(f) !== 'function') throw new GraphModuleError(ref, `does not export a "${f}" function (not a graph operator module)`);
  }
  const provides = providedOperators([...exports.entries()].filter(([, k]) => k === 'function').map(([n]) => n));
  if (provides.size === 0) throw new GraphModuleError(ref, `exports none of ${Object.values(OPERATOR_EXPORTS).join(', ')}`);
  return { ref, module, provides, hasInit: exports.get('graph_init') === 'function', usesWasiNn };
}
