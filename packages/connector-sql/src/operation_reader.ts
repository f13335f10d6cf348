import { addToGroups, parseOperation, type OperationGroup, type SqlOperation, type SqlType } from './sql_operation.ts';

/**
 * The bytes of one record shape around its raw values: a record is `parts[0] v0 parts[1] v1 …
 * parts[n]` where each v is a JSON string body without escapes. Such a record is exactly what
 * JSON.stringify gives for that operation, so reading it by this template equals parsing it.
 */
interface Template {
  parts: Buffer[];
  /** The group shape every match belongs to (columns and types shared by its groups). */
  kind: SqlOperation['kind'];
  table: string;
  uniqIdx: string;
  columns: readonly string[];
  types: readonly SqlType[];
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * Reads Fluvio SQL-model records into operation groups. A stream's records mostly share one
 * shape, so after a record in compact canonical JSON (what serde and JSON.stringify write) the
 * next ones are matched against its bytes and only their values are decoded: no JSON.parse, no
 * objects per record. Anything else (another shape, escapes, spaces, bad records) takes the full
 * parse, which also gives the errors.
 */
export class OperationReader {
  private template: Template | null = null;
  /** The last group made from the template (matches append to it while it is still the last). */
  private group: OperationGroup | null = null;

  /** Adds the record's operation to `groups` (throws PermanentError for a record outside the model). */
  add(groups: OperationGroup[], value: Buffer, where: string): void {
    const t = this.template;
    if (t !== null) {
      const last = groups.length > 0 ? groups[groups.length - 1] : null;
      if (last !== null && last !== this.group && sameShape(last, t)) this.group = last; // made by the full parse
      let g = last !== null && last === this.group ? last : null;
      const mark = g === null ? 0 : g.values.length;
      if (g === null) {
        g = { kind: t.kind, table: t.table, uniqIdx: t.uniqIdx, columns: t.columns, types: t.types, values: [], plain: true };
      }
      if (match(t.parts, value, g.values)) {
        if (g !== last) { groups.push(g); this.group = g; }
        return;
      }
      g.values.length = mark; // undo a partial match
    }
    const op = parseOperation(value, where);
    addToGroups(groups, op);
    this.learn(op, value, groups[groups.length - 1]);
  }

  /** Takes `op`'s shape as the template when `value` is its canonical JSON; else keeps the old one. */
  private learn(op: SqlOperation, value: Buffer, g: OperationGroup): void {
    const head = `{${JSON.stringify(op.kind === 'insert' ? 'Insert' : 'Upsert')}:{"table":${JSON.stringify(op.table)},"values":[`;
    const tail = op.kind === 'upsert' ? `],"uniq_idx":${JSON.stringify(op.uniqIdx)}}}` : ']}}';
    const parts: string[] = [];
    let text = head;
    let open = head;
    for (let i = 0; i < op.values.length; i++) {
      const v = op.values[i];
      open += `${i === 0 ? '' : ','}{"column":${JSON.stringify(v.column)},"raw_value":"`;
      parts.push(open);
      text += `${i === 0 ? '' : ','}{"column":${JSON.stringify(v.column)},"raw_value":${JSON.stringify(v.raw_value)},"type":${JSON.stringify(v.type)}}`;
      open = `","type":${JSON.stringify(v.type)}}`;
    }
    parts.push(open + tail);
    text += tail;
    if (text !== value.toString('utf8')) return;
    this.template = {
      parts: parts.map((p) => Buffer.from(p, 'utf8')),
      kind: op.kind, table: op.table, uniqIdx: op.uniqIdx, columns: g.columns, types: g.types,
    };
    this.group = g;
  }
}

/** Appends the record's values to `out` when it fits the template (false: it does not; `out` may hold some). */
function match(parts: readonly Buffer[], buf: Buffer, out: string[]): boolean {
  let pos = 0;
  const n = parts.length - 1;
  for (let i = 0; i <= n; i++) {
    const p = parts[i];
    const end = pos + p.length;
    if (end > buf.length || p.compare(buf, pos, end) !== 0) return false;
    pos = end;
    if (i === n) break;
    const close = buf.indexOf(QUOTE, pos);
    if (close < 0) return false;
    // An escape or a control character: not the canonical text of its value; the full parse decides.
    for (let j = pos; j < close; j++) { const b = buf[j]; if (b < 0x20 || b === BACKSLASH) return false; }
    out.push(buf.toString('utf8', pos, close));
    pos = close;
  }
  return pos === buf.length;
}

function sameShape(g: OperationGroup, t: Template): boolean {
  if (g.kind !== t.kind || g.table !== t.table || g.uniqIdx !== t.uniqIdx || g.columns.length !== t.columns.length) return false;
  for (let i = 0; i < t.columns.length; i++) if (g.columns[i] !== t.columns[i] || g.types[i] !== t.types[i]) return false;
  return true;
}
