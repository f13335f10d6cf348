// The entry points: parse YAML into a checked definition, validate a definition into a plan,
// or both at once.
import { checkGraph } from './graph_checks.ts';
import { Diagnostics, InvalidGraphError, sortDiagnostics } from './diagnostics.ts';
import { checkShape } from './shape.ts';
import type { GraphDefinition, GraphDocument, GraphPlan, GraphResult, ParseResult, ValidateOptions } from './types.ts';
import { readYaml } from './yaml_source.ts';

export interface ParseOptions {
  /** Names the file in diagnostics (default "graph.yaml"). */
  file?: string;
}

export type LoadOptions = ParseOptions & ValidateOptions;

const DEFAULT_FILE = 'graph.yaml';

/** Parses and shape-checks without the graph rules; `usable` says whether they can run. */
function parseInto(text: string, diag: Diagnostics): { definition: GraphDefinition; usable: boolean } | undefined {
  const read = readYaml(text, diag);
  if (read === undefined) return undefined;
  const usable = checkShape(read.value, diag);
  return { definition: read.value as GraphDefinition, usable };
}

/**
 * Parses graph-definition YAML and checks its shape (JSON Schema). The graph rules are
 * `validateGraph`'s; `loadGraph` runs both and reports every error at once.
 */
export function parseGraphDefinition(text: string, opts: ParseOptions = {}): ParseResult {
  const diag = new Diagnostics(opts.file ?? DEFAULT_FILE, { values: {}, keys: {} });
  const parsed = parseInto(text, diag);
  const warnings = sortDiagnostics(diag.warnings);
  if (parsed === undefined || diag.errors.length > 0) return { ok: false, errors: sortDiagnostics(diag.errors), warnings };
  return { ok: true, document: { file: diag.file, definition: parsed.definition, locations: diag.locations }, warnings };
}

function isDocument(x: GraphDocument | GraphDefinition): x is GraphDocument {
  return 'definition' in x && 'locations' in x;
}

/**
 * Checks the graph rules and resolves parameters (and modules, given `resolveModule`) into a
 * plan. Takes `parseGraphDefinition`'s document (errors then carry line:col) or a definition
 * built in code (its shape is checked first; errors carry paths only).
 */
export function validateGraph(input: GraphDocument | GraphDefinition, opts: ValidateOptions = {}): GraphResult {
  const doc: GraphDocument = isDocument(input) ? input : { file: '<definition>', definition: input, locations: { values: {}, keys: {} } };
  const diag = new Diagnostics(doc.file, doc.locations);
  const usable = isDocument(input) ? true : checkShape(input, diag);
  const plan = usable ? checkGraph(doc.definition, diag, opts) : undefined;
  return result(diag, plan);
}

/** Parses, shape-checks and validates in one pass, reporting every error it can find. */
export function loadGraph(text: string, opts: LoadOptions = {}): GraphResult {
  const diag = new Diagnostics(opts.file ?? DEFAULT_FILE, { values: {}, keys: {} });
  const parsed = parseInto(text, diag);
  const plan = parsed?.usable === true ? checkGraph(parsed.definition, diag, opts) : undefined;
  return result(diag, plan);
}

/** `loadGraph`, throwing `InvalidGraphError` (all errors, one per line) instead of returning them. */
export function loadGraphOrThrow(text: string, opts: LoadOptions = {}): { plan: GraphPlan; warnings: GraphResult['warnings'] } {
  const r = loadGraph(text, opts);
  if (!r.ok) throw new InvalidGraphError(r.errors, r.warnings);
  return { plan: r.plan, warnings: r.warnings };
}

function result(diag: Diagnostics, plan: GraphPlan | undefined): GraphResult {
  const warnings = sortDiagnostics(diag.warnings);
  if (diag.errors.length > 0 || plan === undefined) return { ok: false, errors: sortDiagnostics(diag.errors), warnings };
  return { ok: true, plan, warnings };
}
