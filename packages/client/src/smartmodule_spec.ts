import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import type { SmartModuleInvocation } from '@eddy/protocol';

/**
 * A SmartModule to run on a produce or a stream: one registered on the cluster (`name`), a wasm
 * file (`path`, read by the client and sent as ad-hoc bytes) or ad-hoc `wasm` bytes. With `path`
 * or `wasm`, `name` is only the name errors and logs show (default: the file name).
 */
export interface SmartModuleSpec {
  name?: string;
  path?: string;
  wasm?: Uint8Array;
  /** A hint only: the engine picks the transform from the module's exports, as Fluvio does. */
  kind?: 'filter' | 'map' | 'filter-map' | 'array-map' | 'aggregate' | (string & {});
  /** Passed to the module's `init`. */
  params?: Record<string, string>;
  /** Before streaming, feed `look_back` the last `last` records and/or those younger than `age` milliseconds. */
  lookback?: { last?: number; age?: number };
  /** Starting accumulator of an aggregate module. */
  initialAccumulator?: string | Uint8Array;
  /** SmartModule ABI version the module is called with, 16..25; default the newest. */
  version?: number;
}

/**
 * The SmartModule ABI versions a module can be called with (docs/ARCHITECTURE.md, "A SmartModule chain"; the engine's
 * SMARTMODULE_MIN_VERSION..SMARTMODULE_LATEST_VERSION, repeated here: the client sits below it).
 */
const ABI_VERSION_MIN = 16;
const ABI_VERSION_MAX = 25;

/** Former name of SmartModuleSpec. */
export type SmartModuleOptions = SmartModuleSpec;

/** A spec with its wasm read from disk: what a local chain or an invocation is made from. */
export interface ResolvedSmartModule {
  /** Name shown in errors and logs. */
  name: string;
  /** Null for a module registered on the cluster (the broker resolves it). */
  wasm: Uint8Array | null;
  /** True when `name` refers to a module registered on the cluster. */
  registered: boolean;
  kind: string | null;
  params: Record<string, string>;
  lookback: { last?: number; ageMs?: number } | null;
  initialAccumulator: Uint8Array | null;
  version: number | null;
}

/** A bad SmartModule spec or transforms document; the message is one line naming the bad field. */
export class SmartModuleSpecError extends TypeError {
  constructor(message: string) {
    super(message);
    this.name = 'SmartModuleSpecError';
  }
}

/** Checks a spec and reads its `path` (synchronously: done once when a stream or producer opens). */
export function resolveSmartModule(spec: SmartModuleSpec, index = 0): ResolvedSmartModule {
  const where = `SmartModule #${index + 1}`;
  if (spec === null || typeof spec !== 'object') throw new SmartModuleSpecError(`${where} must be an object, got ${describe(spec)}`);
  const sources = (spec.path !== undefined ? 1 : 0) + (spec.wasm !== undefined ? 1 : 0);
  if (sources > 1) throw new SmartModuleSpecError(`${where}: give either path or wasm, not both`);
  if (spec.name !== undefined && (typeof spec.name !== 'string' || spec.name === '')) {
    throw new SmartModuleSpecError(`${where}: name must be a non-empty string, got ${describe(spec.name)}`);
  }
  if (sources === 0 && spec.name === undefined) throw new SmartModuleSpecError(`${where} needs a name (registered on the cluster), a path or wasm bytes`);
  let wasm: Uint8Array | null = null;
  let name = spec.name;
  if (spec.path !== undefined) {
    if (typeof spec.path !== 'string' || spec.path === '') throw new SmartModuleSpecError(`${where}: path must be a non-empty string, got ${describe(spec.path)}`);
    wasm = readWasmFile(spec.path);
    name ??= path.basename(spec.path);
  } else if (spec.wasm !== undefined) {
    if (!(spec.wasm instanceof Uint8Array)) throw new SmartModuleSpecError(`${where}: wasm must be a Uint8Array, got ${describe(spec.wasm)}`);
    wasm = spec.wasm;
    name ??= `ad-hoc #${index + 1}`;
  }
  const label = `SmartModule '${name}'`;
  const params: Record<string, string> = {};
  if (spec.params !== undefined) {
    if (spec.params === null || typeof spec.params !== 'object' || Array.isArray(spec.params)) {
      throw new SmartModuleSpecError(`${label}: params must be an object of strings, got ${describe(spec.params)}`);
    }
    for (const [k, v] of Object.entries(spec.params)) {
      if (typeof v !== 'string') throw new SmartModuleSpecError(`${label}: params.${k} must be a string, got ${describe(v)}`);
      params[k] = v;
    }
  }
  let lookback: ResolvedSmartModule['lookback'] = null;
  if (spec.lookback !== undefined) {
    const lb = spec.lookback;
    if (lb === null || typeof lb !== 'object') throw new SmartModuleSpecError(`${label}: lookback must be an object {last?, age?}, got ${describe(lb)}`);
    lookback = {};
    if (lb.last !== undefined) lookback.last = nonNegativeInt(lb.last, `${label}: lookback.last`);
    if (lb.age !== undefined) lookback.ageMs = nonNegativeInt(lb.age, `${label}: lookback.age (milliseconds)`);
    if (lookback.last === undefined && lookback.ageMs === undefined) lookback = null;
  }
  const acc = spec.initialAccumulator;
  if (acc !== undefined && typeof acc !== 'string' && !(acc instanceof Uint8Array)) {
    throw new SmartModuleSpecError(`${label}: initialAccumulator must be a string or Uint8Array, got ${describe(acc)}`);
  }
  if (spec.version !== undefined) abiVersion(spec.version, `${label}: version`);
  if (spec.kind !== undefined && typeof spec.kind !== 'string') throw new SmartModuleSpecError(`${label}: kind must be a string, got ${describe(spec.kind)}`);
  return {
    name: name!,
    wasm,
    registered: wasm === null,
    kind: spec.kind ?? null,
    params,
    lookback,
    initialAccumulator: acc === undefined ? null : typeof acc === 'string' ? Buffer.from(acc, 'utf8') : acc,
    version: spec.version ?? null,
  };
}

/** The wire form of a spec. Ad-hoc modules carry their display name along with the bytes. */
export function toInvocation(spec: SmartModuleSpec | ResolvedSmartModule, index = 0): SmartModuleInvocation {
  const r = isResolved(spec) ? spec : resolveSmartModule(spec, index);
  return {
    name: r.name,
    wasm: r.wasm === null ? null : toBuffer(r.wasm),
    kind: r.kind,
    params: { ...r.params },
    lookbackLast: r.lookback?.last ?? -1,
    lookbackAgeMs: r.lookback?.ageMs ?? -1,
    initialAccumulator: r.initialAccumulator === null ? null : toBuffer(r.initialAccumulator),
    version: r.version ?? -1,
  };
}

export function toInvocations(specs: readonly SmartModuleSpec[] | undefined): SmartModuleInvocation[] {
  if (specs === undefined) return [];
  if (!Array.isArray(specs)) throw new SmartModuleSpecError(`smartmodules must be an array of specs, got ${describe(specs)}`);
  return specs.map((s, i) => toInvocation(s, i));
}

function isResolved(s: SmartModuleSpec | ResolvedSmartModule): s is ResolvedSmartModule {
  return typeof (s as ResolvedSmartModule).registered === 'boolean';
}

function readWasmFile(file: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : (err as Error).message;
    throw new SmartModuleSpecError(`cannot read SmartModule file '${file}': ${why}`);
  }
}

// ---- Fluvio's transforms format --------------------------------------------------------------

/**
 * Parses a transforms document (YAML or JSON), Fluvio's format:
 *
 *   transforms:
 *     - uses: my-filter            # a SmartModule registered on the cluster
 *       with: { key: a }           # init parameters; non-string values are passed as JSON text
 *       lookback: { last: 10, age: 30m }
 *       version: 21                # Eddy's addition: the ABI version to call it with (16..25)
 *
 * `source` (e.g. the file name) prefixes error messages. Throws SmartModuleSpecError.
 */
export function parseTransforms(text: string, source = 'transforms'): SmartModuleSpec[] {
  let doc: unknown;
  try {
    doc = YAML.parse(text);
  } catch (err) {
    throw new SmartModuleSpecError(`${source}: not valid YAML or JSON: ${firstLine((err as Error).message)}`);
  }
  // An empty file or a misspelt key would otherwise run the stream with no transform at all,
  // which looks like a filter that lets everything through: refuse both.
  if (doc === null || doc === undefined) throw new SmartModuleSpecError(`${source}: empty; expected 'transforms:' and a list of steps ({uses, with?, lookback?})`);
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new SmartModuleSpecError(`${source}: expected a mapping with a 'transforms' list, got ${describe(doc)}`);
  unknownKeys(doc as Record<string, unknown>, TOP_KEYS, source);
  const list = (doc as Record<string, unknown>).transforms;
  if (list === undefined) throw new SmartModuleSpecError(`${source}: no 'transforms' key (expected 'transforms:' and a list of steps)`);
  if (list === null) throw new SmartModuleSpecError(`${source}: transforms has no steps (expected a list of {uses, with?, lookback?})`);
  if (!Array.isArray(list)) throw new SmartModuleSpecError(`${source}: transforms must be a list, got ${describe(list)}`);
  return list.map((step, i) => transformStep(step, `${source}: transforms[${i}]`));
}

/** One transform step as JSON (`--transforms-line '{"uses":"x","with":{"k":"v"}}'`). */
export function parseTransformLine(json: string, source = 'transforms-line'): SmartModuleSpec {
  let step: unknown;
  try {
    step = JSON.parse(json);
  } catch (err) {
    throw new SmartModuleSpecError(`${source}: not valid JSON: ${firstLine((err as Error).message)}`);
  }
  return transformStep(step, source);
}

function transformStep(step: unknown, where: string): SmartModuleSpec {
  if (step === null || typeof step !== 'object' || Array.isArray(step)) {
    throw new SmartModuleSpecError(`${where} must be a mapping {uses, with?, lookback?}, got ${describe(step)}`);
  }
  const s = step as Record<string, unknown>;
  unknownKeys(s, STEP_KEYS, where);
  if (s.uses === undefined || s.uses === null) throw new SmartModuleSpecError(`${where}.uses is required (the SmartModule's name)`);
  if (typeof s.uses !== 'string' || s.uses.trim() === '') throw new SmartModuleSpecError(`${where}.uses must be a SmartModule name, got ${describe(s.uses)}`);
  const spec: SmartModuleSpec = { name: s.uses.trim() };
  if (s.with !== undefined && s.with !== null) {
    if (typeof s.with !== 'object' || Array.isArray(s.with)) throw new SmartModuleSpecError(`${where}.with must be a mapping of parameters, got ${describe(s.with)}`);
    const params: Record<string, string> = {};
    for (const [k, v] of Object.entries(s.with as Record<string, unknown>)) {
      if (v === null || v === undefined) throw new SmartModuleSpecError(`${where}.with.${k} has no value`);
      // Fluvio passes strings as they are and maps/lists as JSON text.
      params[k] = typeof v === 'string' ? v : JSON.stringify(v);
    }
    spec.params = params;
  }
  if (s.lookback !== undefined && s.lookback !== null) {
    const lb = s.lookback;
    if (typeof lb !== 'object' || Array.isArray(lb)) throw new SmartModuleSpecError(`${where}.lookback must be a mapping {last?, age?}, got ${describe(lb)}`);
    const l = lb as Record<string, unknown>;
    unknownKeys(l, LOOKBACK_KEYS, `${where}.lookback`);
    const lookback: { last?: number; age?: number } = {};
    if (l.last !== undefined && l.last !== null) lookback.last = nonNegativeInt(l.last, `${where}.lookback.last`);
    if (l.age !== undefined && l.age !== null) {
      if (typeof l.age !== 'string') throw new SmartModuleSpecError(`${where}.lookback.age must be a duration such as '30m' or '1h 30m', got ${describe(l.age)}`);
      try {
        lookback.age = parseHumanDuration(l.age);
      } catch (err) {
        throw new SmartModuleSpecError(`${where}.lookback.age: ${(err as Error).message}`);
      }
    }
    spec.lookback = lookback;
  }
  // Not in Fluvio's format (Fluvio calls a module with the version of the client's request):
  // Eddy lets each step of a chain pick the ABI version, e.g. to run an older module as before.
  if (s.version !== undefined && s.version !== null) spec.version = abiVersion(s.version, `${where}.version`);
  return spec;
}

const TOP_KEYS = ['transforms'];
const STEP_KEYS = ['uses', 'with', 'lookback', 'version'];
const LOOKBACK_KEYS = ['last', 'age'];

/** Refuses a key the format does not have, suggesting the nearest known one (a typo is the usual cause). */
function unknownKeys(obj: Record<string, unknown>, known: readonly string[], where: string): void {
  for (const key of Object.keys(obj)) {
    if (known.includes(key)) continue;
    const near = known.find((k) => editDistance(k, key) <= 2);
    const hint = near !== undefined ? `did you mean '${near}'?` : `expected ${known.map((k) => `'${k}'`).join(', ')}`;
    throw new SmartModuleSpecError(`${where}: unknown key '${key}' (${hint})`);
  }
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}

function abiVersion(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < ABI_VERSION_MIN || v > ABI_VERSION_MAX) {
    throw new SmartModuleSpecError(`${what} must be a SmartModule ABI version from ${ABI_VERSION_MIN} to ${ABI_VERSION_MAX}, got ${describe(v)}`);
  }
  return v;
}

const UNIT_MS: Record<string, number> = {
  ns: 1e-6, nsec: 1e-6, nanos: 1e-6,
  us: 1e-3, usec: 1e-3, micros: 1e-3,
  ms: 1, msec: 1, millis: 1,
  s: 1000, sec: 1000, secs: 1000, second: 1000, seconds: 1000,
  m: 60_000, min: 60_000, mins: 60_000, minute: 60_000, minutes: 60_000,
  h: 3_600_000, hr: 3_600_000, hrs: 3_600_000, hour: 3_600_000, hours: 3_600_000,
  d: 86_400_000, day: 86_400_000, days: 86_400_000,
  w: 604_800_000, week: 604_800_000, weeks: 604_800_000,
  M: 2_630_016_000, month: 2_630_016_000, months: 2_630_016_000,
  y: 31_557_600_000, year: 31_557_600_000, years: 31_557_600_000,
};

/** A humantime duration ('30m', '1h 30m', '2days', '500ms') in whole milliseconds, as Fluvio's `age` takes. */
export function parseHumanDuration(text: string): number {
  const t = text.trim();
  if (t === '') throw new SmartModuleSpecError(`empty duration (expected e.g. '30m' or '1h 30m')`);
  const re = /(\d+)\s*([A-Za-z]+)\s*/y;
  let total = 0;
  let at = 0;
  while (at < t.length) {
    re.lastIndex = at;
    const m = re.exec(t);
    if (m === null) throw new SmartModuleSpecError(`invalid duration '${text}' (expected e.g. '30m', '1h 30m', '2days')`);
    // Case matters, as in humantime: 'M' is a month, 'm' a minute.
    const unit = Object.hasOwn(UNIT_MS, m[2]) ? UNIT_MS[m[2]] : undefined;
    if (unit === undefined) throw new SmartModuleSpecError(`invalid duration '${text}': unknown unit '${m[2]}'`);
    total += Number(m[1]) * unit;
    at = re.lastIndex;
  }
  if (!Number.isSafeInteger(Math.floor(total))) throw new SmartModuleSpecError(`duration '${text}' is too large`);
  return Math.floor(total);
}

function nonNegativeInt(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw new SmartModuleSpecError(`${what} must be a non-negative integer, got ${describe(v)}`);
  return v;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (v instanceof Uint8Array) return `${v.length} bytes`;
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  return String(v);
}

function firstLine(s: string): string {
  return s.split('\n').find((l) => l.trim() !== '')?.trim() ?? s;
}

function toBuffer(u: Uint8Array): Buffer {
  return Buffer.isBuffer(u) ? u : Buffer.from(u.buffer, u.byteOffset, u.byteLength);
}
