// How `eddy graph test --expected` compares a sink message with an expected one: by JSON value,
// as Azure IoT Operations' graph test runner does. Numbers compare by value (1695 equals 1695.0),
// a string holding JSON equals the value it holds (Azure's expected files carry the payload as
// JSON text), object keys in any order, and named fields can be ignored (`ignores` in Azure's
// test files, `--ignore` here): a dotted path such as `payload.humidity` leaves that field out on
// both sides, and a path steps into JSON held in a string as into an object.
import { CliError } from '../errors.ts';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** The JSON value a string holds (objects and arrays only), else undefined. */
function heldJson(s: string): Json | undefined {
  const t = s.trimStart();
  if (!t.startsWith('{') && !t.startsWith('[')) return undefined;
  try {
    return JSON.parse(s) as Json;
  } catch {
    return undefined;
  }
}

const isObject = (v: unknown): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Field paths below `key` (for ignores one level down). */
function below(ignores: readonly string[][], key: string): string[][] {
  return ignores.filter((p) => p.length > 1 && p[0] === key).map((p) => p.slice(1));
}

function ignored(ignores: readonly string[][], key: string): boolean {
  return ignores.some((p) => p.length === 1 && p[0] === key);
}

function same(got: unknown, want: unknown, ignores: readonly string[][]): boolean {
  if (typeof got === 'string' && typeof want !== 'string') {
    const held = heldJson(got);
    return held !== undefined && same(held, want, ignores);
  }
  if (typeof want === 'string' && typeof got !== 'string') {
    const held = heldJson(want);
    return held !== undefined && same(got, held, ignores);
  }
  if (typeof got === 'string' && typeof want === 'string') {
    if (got === want && ignores.length === 0) return true;
    const a = heldJson(got);
    const b = heldJson(want);
    return a !== undefined && b !== undefined ? same(a, b, ignores) : got === want;
  }
  if (typeof got === 'number' || typeof want === 'number') return got === want;
  if (Array.isArray(got) || Array.isArray(want)) {
    if (!Array.isArray(got) || !Array.isArray(want) || got.length !== want.length) return false;
    // a path steps through arrays: `payload.temperature.overtemp` reaches every element's field
    return got.every((g, i) => same(g, want[i], ignores));
  }
  if (isObject(got) && isObject(want)) {
    const keys = new Set([...Object.keys(got), ...Object.keys(want)]);
    for (const k of keys) {
      if (ignored(ignores, k)) continue;
      if (!(k in got) || !(k in want)) return false;
      if (!same(got[k], want[k], below(ignores, k))) return false;
    }
    return true;
  }
  return got === want; // null, booleans, undefined
}

/**
 * Where `got` differs from `want` by value, on `want`'s fields: `path: expected X, got Y`, at most
 * `limit` lines, the deepest differing field named (so a user sees which field, not two documents).
 */
export function valueDifferences(got: unknown, want: unknown, ignores: readonly string[] = [], limit = 3): string[] {
  const out: string[] = [];
  walk(got, want, ignores.map((p) => p.split('.')), '', out, limit);
  return out;
}

function walk(got: unknown, want: unknown, ignores: readonly string[][], at: string, out: string[], limit: number): void {
  if (out.length >= limit || same(got, want, ignores)) return;
  const g = typeof got === 'string' && typeof want !== 'string' ? heldJson(got) ?? got : got;
  const w = typeof want === 'string' && typeof got !== 'string' ? heldJson(want) ?? want : want;
  if (isObject(g) && isObject(w)) {
    const path = (k: string): string => (at === '' ? k : `${at}.${k}`);
    for (const k of Object.keys(w)) {
      if (!ignored(ignores, k)) walk(g[k], w[k], below(ignores, k), path(k), out, limit);
    }
    // A field the output has and the expectation does not is a difference too (unless ignored).
    for (const k of Object.keys(g)) {
      if (out.length < limit && !(k in w) && !ignored(ignores, k)) out.push(`${path(k)}: not expected, got ${JSON.stringify(g[k])}`);
    }
    return;
  }
  if (Array.isArray(g) && Array.isArray(w) && g.length === w.length) {
    for (let i = 0; i < w.length; i++) walk(g[i], w[i], ignores, `${at}[${i}]`, out, limit);
    return;
  }
  out.push(`${at === '' ? 'message' : at}: expected ${JSON.stringify(want)}, got ${got === undefined ? 'nothing' : JSON.stringify(got)}`);
}

/**
 * Expected sink messages: JSON Lines, or one JSON document (a message object or an array of
 * them, as Azure's expected.json files are).
 */
export function parseExpectedOutputs(text: string, file: string): Record<string, unknown>[] {
  const whole = text.trim();
  if (whole.startsWith('[') || (whole.startsWith('{') && whole.includes('\n'))) {
    try {
      const v = JSON.parse(whole) as unknown;
      const list = Array.isArray(v) ? v : [v];
      for (const [i, m] of list.entries()) {
        if (!isObject(m)) throw new CliError(`${file}: expected message ${i + 1} must be a JSON object`);
      }
      return list as Record<string, unknown>[];
    } catch (err) {
      if (err instanceof CliError) throw err;
      // not one document: read it as JSON Lines below
    }
  }
  const out: Record<string, unknown>[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch (err) {
      throw new CliError(`${file}:${i + 1}: not JSON: ${(err as Error).message}`);
    }
    if (!isObject(v)) throw new CliError(`${file}:${i + 1}: an expected message must be a JSON object`);
    out.push(v);
  });
  return out;
}
