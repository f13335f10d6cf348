import { ParseError } from '../parse/parse_error.ts';

/** The variables a -F/--format template may use, as Fluvio's consume offers them. */
export const TEMPLATE_VARIABLES = ['key', 'value', 'offset', 'partition', 'time'] as const;
export type TemplateVariable = (typeof TEMPLATE_VARIABLES)[number];

/** Already-formatted field strings for one record. */
export type TemplateFields = Record<TemplateVariable, string>;

export interface CompiledTemplate {
  /** Which variables occur, so the caller formats only those (time and key cost a little). */
  readonly uses: ReadonlySet<TemplateVariable>;
  render(fields: TemplateFields): string;
}

const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;

/**
 * Compiles a template like 'Offset {{offset}} has key {{key}}' once into literal and variable
 * parts, so rendering a record is a join of strings. Unknown variables are an error up front.
 * Text outside placeholders is copied as is (no escapes, no HTML escaping).
 */
export function compileTemplate(template: string): CompiledTemplate {
  const literals: string[] = [];
  const vars: TemplateVariable[] = [];
  let last = 0;
  for (const m of template.matchAll(PLACEHOLDER)) {
    const name = m[1];
    if (!(TEMPLATE_VARIABLES as readonly string[]).includes(name)) {
      throw new ParseError(`unknown template variable '{{${name}}}' (use ${TEMPLATE_VARIABLES.map((v) => `{{${v}}}`).join(', ')})`);
    }
    literals.push(template.slice(last, m.index));
    vars.push(name as TemplateVariable);
    last = m.index + m[0].length;
  }
  literals.push(template.slice(last));
  const uses = new Set(vars);
  return {
    uses,
    render(fields: TemplateFields): string {
      let out = literals[0];
      for (let i = 0; i < vars.length; i++) out += fields[vars[i]] + literals[i + 1];
      return out;
    },
  };
}

/** RFC 3339 UTC with milliseconds, or 'NA' for a record without a timestamp (Fluvio's rendering). */
export function formatTime(timestampMs: number): string {
  if (!(timestampMs >= 0) || timestampMs > 8.64e15) return 'NA';
  return new Date(timestampMs).toISOString();
}
