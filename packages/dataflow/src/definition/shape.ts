// Checks a definition's shape against GRAPH_DEFINITION_SCHEMA with ajv and turns ajv's errors
// into one-line diagnostics at YAML paths (`/operations/2/module` → `operations[2].module`).
import AjvModule, { type ErrorObject, type ValidateFunction } from 'ajv';
import { Diagnostics, pathStep } from './diagnostics.ts';
import { GRAPH_DEFINITION_SCHEMA } from './schema.ts';

// ajv is CommonJS: under Node's ESM interop the class is the module itself and also `.default`.
const Ajv = (AjvModule as unknown as { default: typeof AjvModule.default }).default ?? AjvModule;

let compiled: ValidateFunction | undefined;
function validator(): ValidateFunction {
  compiled ??= new Ajv({ allErrors: true, verbose: true, allowUnionTypes: true, strict: true }).compile(GRAPH_DEFINITION_SCHEMA);
  return compiled;
}

/** Sections the graph checks read; a shape error inside one of them means those checks cannot run. */
const GRAPH_SECTIONS = new Set(['operations', 'connections', 'moduleConfigurations']);

/**
 * Reports shape errors into `diag`. Returns whether the sections the graph checks read
 * (operations, connections, moduleConfigurations) are well-formed.
 */
export function checkShape(value: unknown, diag: Diagnostics): boolean {
  const validate = validator();
  let graphUsable = true;
  if (!validate(value)) {
    for (const e of validate.errors ?? []) {
      const segs = pointerSegments(e.instancePath, value);
      if (segs.length > 0 ? GRAPH_SECTIONS.has(String(segs[0])) : e.keyword !== 'required' || GRAPH_SECTIONS.has(String(e.params.missingProperty))) {
        graphUsable = false;
      }
      report(e, segs, diag);
    }
  }
  // Azure's current files say runtimeVersion, older ones hostlibVersion: one of them is needed.
  const req = (value as { moduleRequirements?: unknown } | null)?.moduleRequirements;
  if (req !== null && typeof req === 'object' && !Array.isArray(req) && !('runtimeVersion' in req) && !('hostlibVersion' in req)) {
    diag.error('moduleRequirements', 'missing required field "runtimeVersion"');
  }
  return graphUsable;
}

/** JSON pointer → path segments, with list indices as numbers (decided by the data, not the text). */
function pointerSegments(pointer: string, root: unknown): (string | number)[] {
  if (pointer === '') return [];
  const segs: (string | number)[] = [];
  let node: unknown = root;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node)) {
      segs.push(Number(key));
      node = node[Number(key)];
    } else {
      segs.push(key);
      node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined;
    }
  }
  return segs;
}

function toPath(segs: (string | number)[]): string {
  let p = '';
  for (const s of segs) p = pathStep(p, s);
  return p;
}

function describe(v: unknown): string {
  if (v === null) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a map';
  if (typeof v === 'string') return JSON.stringify(v);
  return String(v);
}

const TYPE_NAMES: Record<string, string> = { object: 'a map', array: 'a list', string: 'a string', boolean: 'true or false', null: 'empty' };

function report(e: ErrorObject, segs: (string | number)[], diag: Diagnostics): void {
  const path = toPath(segs);
  switch (e.keyword) {
    case 'required':
      diag.error(path, `missing required field "${String(e.params.missingProperty)}"`);
      return;
    case 'additionalProperties': {
      const extra = String(e.params.additionalProperty);
      const allowed = Object.keys((e.parentSchema as { properties?: object } | undefined)?.properties ?? {});
      diag.error(pathStep(path, extra), `unknown field "${extra}"${allowed.length > 0 ? ` (allowed: ${allowed.join(', ')})` : ''}`, 'key');
      return;
    }
    case 'type': {
      const types = ([] as string[]).concat(e.params.type as string | string[]).filter((t) => t !== 'null');
      diag.error(path, `must be ${types.map((t) => TYPE_NAMES[t] ?? t).join(' or ')}, got ${describe(e.data)}`);
      return;
    }
    case 'enum': {
      const allowed = (e.params.allowedValues as unknown[]).filter((v) => v !== null).map((v) => JSON.stringify(v));
      const list = allowed.length === 2 ? allowed.join(' or ') : `one of ${allowed.join(', ')}`;
      diag.error(path, `must be ${list}, got ${describe(e.data)}`);
      return;
    }
    case 'minLength':
      diag.error(path, 'must not be empty');
      return;
    case 'minItems':
      diag.error(path, `must list at least ${String(e.params.limit)} item`);
      return;
    default:
      diag.error(path, e.message ?? `fails ${e.keyword}`);
  }
}
