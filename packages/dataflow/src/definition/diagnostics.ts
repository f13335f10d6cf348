// Collects errors and warnings as one-line diagnostics that point into the YAML file.
import type { GraphDefinitionError, GraphLocations, SourcePosition } from './types.ts';

/** Formats `<file>:<line>:<col>: <path>: <message>` (no line:col when the position is unknown). */
export function formatDiagnostic(d: Pick<GraphDefinitionError, 'file' | 'line' | 'col' | 'path' | 'message'>): string {
  const where = d.line > 0 ? `${d.file}:${d.line}:${d.col}` : d.file;
  return d.path === '' ? `${where}: ${d.message}` : `${where}: ${d.path}: ${d.message}`;
}

/** One step of a YAML path: `.key` for plain keys, `["a.b"]` for others, `[i]` for list items. */
export function pathStep(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  if (/^[A-Za-z_$][\w$-]*$/.test(key)) return parent === '' ? key : `${parent}.${key}`;
  return `${parent}[${JSON.stringify(key)}]`;
}

/** The parent of a YAML path: `a.b[2].c` → `a.b[2]` → `a.b` → `a` → ''. */
export function parentPath(path: string): string {
  const m = /(\.[A-Za-z_$][\w$-]*|\[\d+\]|\["(?:[^"\\]|\\.)*"\])$/.exec(path);
  return m === null ? '' : path.slice(0, m.index);
}

export class Diagnostics {
  readonly errors: GraphDefinitionError[] = [];
  readonly warnings: GraphDefinitionError[] = [];
  readonly file: string;
  readonly locations: GraphLocations;

  constructor(file: string, locations: GraphLocations) {
    this.file = file;
    this.locations = locations;
  }

  /** The position of `path`'s node (or its key when `at` is 'key'), else the nearest ancestor's. */
  positionOf(path: string, at: 'value' | 'key' = 'value'): SourcePosition | undefined {
    const own = at === 'key' ? (this.locations.keys[path] ?? this.locations.values[path]) : this.locations.values[path];
    if (own !== undefined) return own;
    for (let p = path; p !== '';) {
      p = parentPath(p);
      const pos = this.locations.values[p];
      if (pos !== undefined) return pos;
    }
    return undefined;
  }

  error(path: string, message: string, at: 'value' | 'key' = 'value'): void {
    this.errors.push(this.make('error', path, message, this.positionOf(path, at)));
  }

  warn(path: string, message: string, at: 'value' | 'key' = 'value'): void {
    this.warnings.push(this.make('warning', path, message, this.positionOf(path, at)));
  }

  /** A diagnostic with an explicit position (YAML syntax errors) or none (command-line overrides). */
  errorAt(pos: SourcePosition | undefined, path: string, message: string): void {
    this.errors.push(this.make('error', path, message, pos));
  }

  warnAt(pos: SourcePosition | undefined, path: string, message: string): void {
    this.warnings.push(this.make('warning', path, message, pos));
  }

  private make(severity: 'error' | 'warning', path: string, message: string, pos: SourcePosition | undefined): GraphDefinitionError {
    const d = { severity, file: this.file, line: pos?.line ?? 0, col: pos?.col ?? 0, path, message, text: '' };
    d.text = formatDiagnostic(d);
    return d;
  }
}

/** Orders diagnostics by position; ones without a position (overrides) go last, in their order. */
export function sortDiagnostics(list: GraphDefinitionError[]): GraphDefinitionError[] {
  const indexed = list.map((d, i) => ({ d, i }));
  indexed.sort((a, b) => {
    const la = a.d.line === 0 ? Number.MAX_SAFE_INTEGER : a.d.line;
    const lb = b.d.line === 0 ? Number.MAX_SAFE_INTEGER : b.d.line;
    return la - lb || a.d.col - b.d.col || a.i - b.i;
  });
  return indexed.map((x) => x.d);
}

/** Thrown by `loadGraphOrThrow`: carries every diagnostic; the message lists them one per line. */
export class InvalidGraphError extends Error {
  readonly errors: GraphDefinitionError[];
  readonly warnings: GraphDefinitionError[];

  constructor(errors: GraphDefinitionError[], warnings: GraphDefinitionError[] = []) {
    super(errors.map((e) => e.text).join('\n'));
    this.name = 'InvalidGraphError';
    this.errors = errors;
    this.warnings = warnings;
  }
}
