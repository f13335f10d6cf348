import { PermanentError } from '@eddy/connector';

/** Fluvio's SQL model types (fluvio-model-sql `Type`). */
export const SQL_TYPES = [
  'Bool', 'Char', 'SmallInt', 'Int', 'BigInt', 'Float', 'DoublePrecision', 'Text', 'Bytes', 'Numeric',
  'Timestamp', 'Date', 'Time', 'Uuid', 'Json',
] as const;
export type SqlType = (typeof SQL_TYPES)[number];

export interface SqlValue {
  column: string;
  raw_value: string;
  type: SqlType;
}

/** One record's operation: `{"Insert":{table, values}}` or `{"Upsert":{table, values, uniq_idx}}`. */
export interface SqlOperation {
  kind: 'insert' | 'upsert';
  table: string;
  values: SqlValue[];
  /** Upsert only: the column with the unique index that decides insert or update. */
  uniqIdx: string;
}

/** Consecutive operations of one shape: written as one multi-row statement (or one COPY). */
export interface OperationGroup {
  kind: 'insert' | 'upsert';
  table: string;
  columns: readonly string[];
  types: readonly SqlType[];
  uniqIdx: string;
  /** Raw values, row-major (columns.length per row): no array per row. */
  values: string[];
  /** No value holds a backslash or a control character (COPY text takes them as they are). */
  plain: boolean;
}

const TYPE_SET = new Set<string>(SQL_TYPES);

/**
 * Parses one record value in Fluvio's SQL model. Anything else is permanent: the record can never
 * be written, and skipping it would lose data, so the sink stops there.
 */
export function parseOperation(value: Buffer, where: string): SqlOperation {
  let doc: unknown;
  try {
    doc = JSON.parse(value.toString('utf8'));
  } catch {
    throw new PermanentError(`${where}: not JSON (the sql-sink takes Fluvio's SQL model; use the json-sql transform for plain JSON)`);
  }
  const d = doc as Record<string, Record<string, unknown> | undefined>;
  const body = d?.Insert ?? d?.Upsert;
  if (body === undefined || body === null || typeof body !== 'object') throw new PermanentError(`${where}: expected {"Insert":{…}} or {"Upsert":{…}}`);
  const kind = d.Insert !== undefined ? 'insert' : 'upsert';
  if (typeof body.table !== 'string' || body.table === '') throw new PermanentError(`${where}: ${kind}.table must be a table name`);
  if (!Array.isArray(body.values) || body.values.length === 0) throw new PermanentError(`${where}: ${kind}.values must be a non-empty list`);
  const values = body.values as SqlValue[];
  for (const v of values) {
    if (typeof v?.column !== 'string' || typeof v.raw_value !== 'string' || !TYPE_SET.has(v.type)) {
      throw new PermanentError(`${where}: each value needs {column, raw_value (a string), type (one of ${SQL_TYPES.join(', ')})}`);
    }
  }
  let uniqIdx = '';
  if (kind === 'upsert') {
    if (typeof body.uniq_idx !== 'string' || body.uniq_idx === '') throw new PermanentError(`${where}: Upsert.uniq_idx must name a column`);
    uniqIdx = body.uniq_idx;
    if (!values.some((v) => v.column === uniqIdx)) throw new PermanentError(`${where}: Upsert.uniq_idx '${uniqIdx}' is not among its values`);
  }
  return { kind, table: body.table, values, uniqIdx };
}

/** Appends `op` to the last group when it has the same shape, else starts a group. */
export function addToGroups(groups: OperationGroup[], op: SqlOperation): void {
  let g = groups.length > 0 ? groups[groups.length - 1] : null;
  if (g === null || g.kind !== op.kind || g.table !== op.table || g.uniqIdx !== op.uniqIdx || !sameColumns(g, op.values)) {
    g = {
      kind: op.kind, table: op.table, uniqIdx: op.uniqIdx,
      columns: op.values.map((v) => v.column), types: op.values.map((v) => v.type), values: [], plain: true,
    };
    groups.push(g);
  }
  for (const v of op.values) {
    if (g.plain && NOT_PLAIN.test(v.raw_value)) g.plain = false;
    g.values.push(v.raw_value);
  }
}

const NOT_PLAIN = /[\x00-\x1f\\]/;

function sameColumns(g: OperationGroup, values: SqlValue[]): boolean {
  if (g.columns.length !== values.length) return false;
  for (let i = 0; i < values.length; i++) if (g.columns[i] !== values[i].column || g.types[i] !== values[i].type) return false;
  return true;
}

/**
 * Upsert rows with the same key in one statement: the last wins (what applying them one by one
 * gives; PostgreSQL refuses to update a row twice in one statement). Row-major values, as in the group.
 */
export function lastPerKey(g: OperationGroup): string[] {
  const w = g.columns.length;
  if (g.kind !== 'upsert' || g.values.length < 2 * w) return g.values;
  const at = g.columns.indexOf(g.uniqIdx);
  const byKey = new Map<string, number>();
  for (let r = 0; r < g.values.length; r += w) {
    const k = g.values[r + at];
    byKey.delete(k); // re-inserted: keeps the order of last occurrence
    byKey.set(k, r);
  }
  if (byKey.size * w === g.values.length) return g.values;
  const out: string[] = [];
  for (const r of byKey.values()) for (let i = 0; i < w; i++) out.push(g.values[r + i]);
  return out;
}

/** `"schema"."table"` from `schema.table`, each part quoted. */
export function quoteName(name: string): string {
  return name.split('.').map((p) => `"${p.replace(/"/g, '""')}"`).join('.');
}
