// Module references (`name:version`) and the operator types a module's exports provide.
import { MODULE_OPERATOR_TYPES, type ModuleRef, type OperatorType } from './types.ts';

// The version follows the last colon, so registry hosts with ports (`host:5000/m:1.0.0`) stay in
// the name; a version holds no '/' (that colon was a port) and no whitespace.
const MODULE_REF = /^(\S+):([^\s:/]+)$/;

/**
 * `temperature:1.0.0` → { name: 'temperature', version: '1.0.0' };
 * `azure-samples/explore-iot-operations/temperature:1.0.0` → the same plus
 * path 'azure-samples/explore-iot-operations'; undefined when malformed.
 */
export function parseModuleRef(text: string): ModuleRef | undefined {
  const m = MODULE_REF.exec(text);
  if (m === null) return undefined;
  const slash = m[1].lastIndexOf('/');
  if (slash < 0) return { name: m[1], version: m[2] };
  const name = m[1].slice(slash + 1);
  const path = m[1].slice(0, slash);
  if (name === '' || path === '') return undefined;
  return { name, version: m[2], path };
}

/** The reference as written (path included). */
export function formatModuleRef(ref: ModuleRef): string {
  return `${ref.path === undefined ? '' : `${ref.path}/`}${ref.name}:${ref.version}`;
}

/** The `name:version` the registry and `--modules` directories know a reference by. */
export function registryModuleRef(ref: ModuleRef): string {
  return `${ref.name}:${ref.version}`;
}

/** registryModuleRef of a reference's text; text that is no reference comes back unchanged. */
export function registryModuleRefOf(text: string): string {
  const ref = parseModuleRef(text);
  return ref === undefined ? text : registryModuleRef(ref);
}

/**
 * The operator types a module provides, from its export names: `graph_map` → map, and so on
 * for filter, branch, accumulate and delay (ABI.md). Other exports are ignored.
 */
export function providedOperators(exportNames: Iterable<string>): Set<OperatorType> {
  const provided = new Set<OperatorType>();
  const names = new Set(exportNames);
  for (const t of MODULE_OPERATOR_TYPES) if (names.has(`graph_${t}`)) provided.add(t);
  return provided;
}
