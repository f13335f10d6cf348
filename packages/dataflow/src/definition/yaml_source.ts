// Reads YAML text into a plain value plus the position of every node, by YAML path. Scalars in
// fields that are strings in Azure's schema keep their source text when YAML typed them
// (`default: -40` → "-40", `version: 1.0` → "1.0"), so unquoted values mean what they look like.
import { LineCounter, parseDocument, isAlias, isMap, isScalar, isSeq, type Node as YamlNode, type Document } from 'yaml';
import { Diagnostics, pathStep } from './diagnostics.ts';
import type { GraphLocations, SourcePosition } from './types.ts';

type Segment = string | number;

// '*' matches any key, '#' any list index.
const STRING_FIELDS: readonly (readonly string[])[] = [
  ['metadata', '*'],
  ['moduleRequirements', 'apiVersion'],
  ['moduleRequirements', 'runtimeVersion'],
  ['moduleRequirements', 'hostlibVersion'],
  ['moduleRequirements', 'features', '#', '*'],
  ['moduleConfigurations', '#', 'name'],
  ['moduleConfigurations', '#', 'parameters', '*', 'name'],
  ['moduleConfigurations', '#', 'parameters', '*', 'description'],
  ['moduleConfigurations', '#', 'parameters', '*', 'default'],
  ['operations', '#', 'name'],
  ['operations', '#', 'module'],
  ['connections', '#', 'from', 'name'],
  ['connections', '#', 'from', 'schemaName'],
  ['connections', '#', 'to', 'name'],
  ['schemas', '#', '*'],
];
const ARM_FIELD = ['connections', '#', 'from', 'arm'] as const;

function matches(pattern: readonly string[], segs: readonly Segment[]): boolean {
  if (pattern.length !== segs.length) return false;
  for (let i = 0; i < segs.length; i++) {
    const p = pattern[i];
    const s = segs[i];
    if (p === '#' ? typeof s !== 'number' : p === '*' ? typeof s !== 'string' : p !== s) return false;
  }
  return true;
}

export interface YamlRead {
  value: unknown;
  locations: GraphLocations;
}

/**
 * Parses `text`; reports syntax errors (with line:col) and YAML-typed values where a string
 * is expected into `diag`. Returns undefined when the YAML itself is broken.
 */
export function readYaml(text: string, diag: Diagnostics): YamlRead | undefined {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number): SourcePosition => lc.linePos(offset);
  for (const w of doc.warnings) diag.warnAt(at(w.pos[0]), '', syntaxMessage(w.message));
  if (doc.errors.length > 0) {
    for (const e of doc.errors) diag.errorAt(at(e.pos[0]), '', syntaxMessage(e.message));
    return undefined;
  }
  const locations = diag.locations;
  const walk = (node: unknown, segs: Segment[], path: string): unknown => {
    if (isAlias(node)) return walk(node.resolve(doc as Document), segs, path);
    if (node === null || node === undefined) return null;
    const n = node as YamlNode;
    if (n.range !== undefined && n.range !== null && locations.values[path] === undefined) locations.values[path] = at(n.range[0]);
    if (isMap(n)) {
      const obj: Record<string, unknown> = {};
      for (const pair of n.items) {
        const keyNode = pair.key;
        const key = isScalar(keyNode) ? String(keyNode.value) : String(keyNode);
        const childPath = pathStep(path, key);
        if (isScalar(keyNode) && keyNode.range) locations.keys[childPath] = at(keyNode.range[0]);
        const valueNode = pair.value as YamlNode | null;
        // An empty value (`module:`) has no useful position of its own: use the key's.
        if (valueNode === null || (isScalar(valueNode) && valueNode.value === null)) {
          if (locations.keys[childPath] !== undefined) locations.values[childPath] = locations.keys[childPath];
        }
        // defineProperty: a key named __proto__ must stay data, not change the prototype.
        Object.defineProperty(obj, key, { value: walk(valueNode, [...segs, key], childPath), enumerable: true, writable: true, configurable: true });
      }
      return obj;
    }
    if (isSeq(n)) return n.items.map((item, i) => walk(item, [...segs, i], pathStep(path, i)));
    if (isScalar(n)) return normaliseScalar(n.value, n.source, segs, path, diag);
    return null;
  };
  return { value: walk(doc.contents, [], ''), locations };
}

function normaliseScalar(value: unknown, source: string | undefined, segs: Segment[], path: string, diag: Diagnostics): unknown {
  if (typeof value === 'string' || value === null) return value;
  if (typeof value !== 'number' && typeof value !== 'boolean' && typeof value !== 'bigint') return value;
  const text = source ?? String(value);
  if (matches(ARM_FIELD, segs)) {
    // YAML reads a plain True as a boolean; it is the arm name exactly as written, so accept it.
    if (text === 'True' || text === 'False') return text;
    const arm = value === true ? 'True' : value === false ? 'False' : undefined;
    if (arm !== undefined) diag.error(path, `arm must be the string "True" or "False": write arm: "${arm}"`);
    else diag.error(path, `arm must be "True" or "False", got ${text}`);
    return arm ?? text;
  }
  for (const p of STRING_FIELDS) if (matches(p, segs)) return text;
  return value;
}

// The first line, without yaml's own " at line N, column M:" (the position leads the line).
function syntaxMessage(message: string): string {
  return 'YAML: ' + message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
}
