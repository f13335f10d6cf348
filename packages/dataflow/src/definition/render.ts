// Draws a plan: Graphviz dot, Mermaid `flowchart LR`, or plain text for terminals. Arms are edge
// labels; nodes show name, type and module, plus optional per-operation annotations (counts).
import { formatModuleRef } from './module_ref.ts';
import type { GraphPlan, PlanOperation } from './types.ts';

export type RenderFormat = 'dot' | 'mermaid' | 'text';

/** Figures shown beside an operation, e.g. from a running graph's metrics. */
export interface OperationAnnotation {
  recordsIn?: number;
  recordsOut?: number;
  /** Free text, e.g. "lagging" or an error. */
  note?: string;
}

export interface RenderOptions {
  /** By operation name. */
  annotations?: Record<string, OperationAnnotation>;
}

export function renderGraph(plan: GraphPlan, format: RenderFormat, opts: RenderOptions = {}): string {
  switch (format) {
    case 'dot':
      return renderDot(plan, opts);
    case 'mermaid':
      return renderMermaid(plan, opts);
    case 'text':
      return renderText(plan, opts);
    default:
      throw new TypeError(`unknown graph drawing format "${String(format)}" (use dot, mermaid or text)`);
  }
}

function annotationText(a: OperationAnnotation | undefined): string {
  if (a === undefined) return '';
  const parts: string[] = [];
  if (a.recordsIn !== undefined) parts.push(`in ${a.recordsIn}`);
  if (a.recordsOut !== undefined) parts.push(`out ${a.recordsOut}`);
  if (a.note !== undefined && a.note !== '') parts.push(a.note);
  return parts.join(' · ');
}

/** The lines of a node's label: name, then type (and module), then annotations if any. */
function labelLines(op: PlanOperation, opts: RenderOptions): string[] {
  const lines = [op.name, op.module === undefined ? op.type : `${op.type} · ${formatModuleRef(op.module)}`];
  const note = annotationText(opts.annotations?.[op.name]);
  if (note !== '') lines.push(note);
  return lines;
}

function dotString(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

const DOT_SHAPES: Partial<Record<PlanOperation['type'], string>> = { source: 'oval', sink: 'oval', branch: 'diamond', concatenate: 'invtrapezium' };

export function renderDot(plan: GraphPlan, opts: RenderOptions = {}): string {
  const out = [`digraph ${dotString(plan.metadata.name)} {`, '  rankdir=LR;', '  node [shape=box, fontname="Helvetica"];', '  edge [fontname="Helvetica"];'];
  for (const op of plan.operations) {
    const shape = DOT_SHAPES[op.type];
    out.push(`  ${dotString(op.name)} [label=${dotString(labelLines(op, opts).join('\n'))}${shape === undefined ? '' : `, shape=${shape}`}];`);
  }
  for (const op of plan.operations) {
    for (const o of op.outputs) out.push(`  ${dotString(op.name)} -> ${dotString(o.to)}${o.arm === undefined ? '' : ` [label=${dotString(o.arm)}]`};`);
  }
  out.push('}');
  return out.join('\n') + '\n';
}

// Mermaid labels: quotes and angle brackets as entity codes so names cannot break the syntax.
function mermaidText(s: string): string {
  return s.replace(/#/g, '#35;').replace(/"/g, '#quot;').replace(/</g, '#lt;').replace(/>/g, '#gt;');
}

export function renderMermaid(plan: GraphPlan, opts: RenderOptions = {}): string {
  // Operation names hold '/' and other characters Mermaid ids cannot, so nodes get n0, n1, …
  const id = new Map(plan.operations.map((op, i) => [op.name, `n${i}`]));
  const out = ['flowchart LR'];
  for (const op of plan.operations) {
    const label = `"${labelLines(op, opts).map(mermaidText).join('<br/>')}"`;
    const node = op.type === 'source' || op.type === 'sink' ? `([${label}])` : op.type === 'branch' ? `{${label}}` : `[${label}]`;
    out.push(`  ${id.get(op.name)}${node}`);
  }
  for (const op of plan.operations) {
    for (const o of op.outputs) out.push(`  ${id.get(op.name)} -->${o.arm === undefined ? '' : `|${o.arm}|`} ${id.get(o.to)}`);
  }
  return out.join('\n') + '\n';
}

/**
 * One line per operation in topological order (name, type, module, parameters, annotations),
 * each followed by its outgoing edges as `→ target [arm]`.
 */
export function renderText(plan: GraphPlan, opts: RenderOptions = {}): string {
  const m = plan.metadata;
  const out = [`${m.name} ${m.version} (${plan.operations.length} operations, ${plan.source} → ${plan.sink})`];
  const nameWidth = Math.max(...plan.operations.map((op) => op.name.length));
  const typeWidth = Math.max(...plan.operations.map((op) => op.type.length));
  const moduleWidth = Math.max(0, ...plan.operations.map((op) => (op.module === undefined ? 0 : formatModuleRef(op.module).length)));
  for (const op of plan.operations) {
    const cols = [op.name.padEnd(nameWidth), op.type.padEnd(typeWidth), (op.module === undefined ? '' : formatModuleRef(op.module)).padEnd(moduleWidth)];
    const params = Object.entries(op.params).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(' ');
    if (params !== '') cols.push(params);
    const note = annotationText(opts.annotations?.[op.name]);
    if (note !== '') cols.push(`[${note}]`);
    out.push(`  ${cols.join('  ').trimEnd()}`);
    for (const o of op.outputs) out.push(`      → ${o.to}${o.arm === undefined ? '' : ` [${o.arm}]`}`);
  }
  return out.join('\n') + '\n';
}
