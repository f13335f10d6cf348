import AjvModule, { type ErrorObject, type ValidateFunction } from 'ajv';
import { ConfigError } from './errors.ts';

// ajv is CommonJS: under Node's ESM interop the class is the module itself and also `.default`.
const Ajv = (AjvModule as unknown as { default: typeof AjvModule.default }).default ?? AjvModule;

/**
 * The subset of JSON Schema (draft-07) a connector declares its options with. `description` and
 * `default` matter: they become the docs, the defaults filled in, and the `metadata` output.
 */
export interface JsonSchema {
  type?: 'string' | 'number' | 'integer' | 'boolean' | 'object' | 'array' | 'null' | readonly ('string' | 'number' | 'integer' | 'boolean' | 'object' | 'array' | 'null')[];
  title?: string;
  description?: string;
  default?: unknown;
  enum?: readonly unknown[];
  const?: unknown;
  format?: string;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  minItems?: number;
  properties?: Readonly<Record<string, JsonSchema>>;
  required?: readonly string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  oneOf?: readonly JsonSchema[];
  anyOf?: readonly JsonSchema[];
  examples?: readonly unknown[];
  [keyword: string]: unknown;
}

export const DRAFT_07 = 'http://json-schema.org/draft-07/schema#';

/**
 * A compiled validator that fills in defaults (ajv `useDefaults`) and throws a ConfigError whose
 * one line names the YAML path of the first problem, under `root` (e.g. 'http').
 */
export function compileValidator(schema: JsonSchema): (value: unknown, root: string) => void {
  const ajv = new Ajv({ allErrors: false, useDefaults: true, allowUnionTypes: true, strict: false });
  const validate: ValidateFunction = ajv.compile(schema as object);
  return (value, root) => {
    if (validate(value)) return;
    throw errorAt(validate.errors?.[0], root);
  };
}

function errorAt(e: ErrorObject | undefined, root: string): ConfigError {
  if (e === undefined) return new ConfigError(root, 'invalid');
  let path = root;
  for (const seg of e.instancePath.split('/').slice(1)) {
    const key = seg.replace(/~1/g, '/').replace(/~0/g, '~');
    path = /^\d+$/.test(key) ? `${path}[${key}]` : path === '' ? key : `${path}.${key}`;
  }
  const join = (k: string) => (path === '' ? k : `${path}.${k}`);
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required': return new ConfigError(join(String(p.missingProperty)), 'is required');
    case 'additionalProperties': return new ConfigError(join(String(p.additionalProperty)), 'is not a known field');
    case 'enum': return new ConfigError(path, `must be one of: ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`);
    case 'type': return new ConfigError(path, `must be ${String(p.type).replace(/,/g, ' or ')}`);
    default: return new ConfigError(path, e.message ?? e.keyword);
  }
}

/**
 * A markdown table of the options (path, type, default, description), nested objects flattened
 * to dotted paths: the docs a README or `<connector> docs` shows.
 */
export function optionsTable(schema: JsonSchema, root: string): string {
  const rows: string[] = ['| option | type | default | description |', '|---|---|---|---|'];
  const walk = (s: JsonSchema, path: string, required: boolean): void => {
    if (s.type === 'object' && s.properties !== undefined && path !== root) {
      rows.push(row(s, path, required));
    }
    if (s.properties !== undefined) {
      const req = new Set(s.required ?? []);
      for (const [k, child] of Object.entries(s.properties)) walk(child, `${path}.${k}`, req.has(k));
      return;
    }
    rows.push(row(s, path, required));
  };
  walk(schema, root, true);
  return rows.join('\n');
}

function row(s: JsonSchema, path: string, required: boolean): string {
  const type = s.enum !== undefined ? s.enum.map((v) => JSON.stringify(v)).join(' \\| ') : Array.isArray(s.type) ? s.type.join(' \\| ') : String(s.type ?? 'any');
  const def = s.default !== undefined ? `\`${JSON.stringify(s.default)}\`` : required ? '(required)' : '';
  return `| \`${path}\` | ${type} | ${def} | ${(s.description ?? '').replace(/\|/g, '\\|').replace(/\n/g, ' ')} |`;
}
