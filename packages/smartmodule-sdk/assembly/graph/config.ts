// The module configuration `graph_init` receives (ABI.md): the operation's name and its
// parameters after defaults and --param overrides.
import { ParameterMap } from "../parameter_map";

/** Parameters of one operation (`moduleConfigurations` in the graph). */
export class Parameters extends ParameterMap {
  /** Adds or replaces a parameter. */
  set(key: string, value: string): Parameters {
    this.put(key, value);
    return this;
  }
}

export class ModuleConfiguration {
  /** The operation's name in the graph (e.g. "module-temperature/map"). */
  operationName: string = "";
  parameters: Parameters = new Parameters();

  /** Shorthand for `parameters.get(key)`. */
  get(key: string): string | null {
    return this.parameters.get(key);
  }

  getOr(key: string, fallback: string): string {
    return this.parameters.getOr(key, fallback);
  }
}

let current: ModuleConfiguration = new ModuleConfiguration();

/** The configuration this instance was initialised with (empty before/without graph_init). */
export function moduleConfiguration(): ModuleConfiguration {
  return current;
}

/** SDK internal. */
export function setModuleConfiguration(c: ModuleConfiguration): void {
  current = c;
}

function readLenString(p: usize, end: usize, out: StaticArray<usize>): string | null {
  if (end - p < 4) return null;
  const n = <usize>load<u32>(p);
  if (end - p - 4 < n) return null;
  unchecked(out[0] = p + 4 + n);
  return String.UTF8.decodeUnsafe(p + 4, n);
}

/** Decodes graph_init's input; null when malformed. */
export function decodeConfiguration(ptr: usize, len: usize): ModuleConfiguration | null {
  const end = ptr + len;
  const next = new StaticArray<usize>(1);
  const config = new ModuleConfiguration();
  const name = readLenString(ptr, end, next);
  if (name === null) return null;
  config.operationName = name;
  let p = unchecked(next[0]);
  if (end - p < 4) return null;
  const count = load<u32>(p);
  p += 4;
  for (let i: u32 = 0; i < count; i++) {
    const key = readLenString(p, end, next);
    if (key === null) return null;
    p = unchecked(next[0]);
    const value = readLenString(p, end, next);
    if (value === null) return null;
    p = unchecked(next[0]);
    config.parameters.set(key, value);
  }
  return p == end ? config : null;
}
