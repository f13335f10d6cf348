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

/** Consecutive operations of one shape: written as one multi-row statement. */
export interface OperationGroup {
  kind: 'insert' | 'upsert';
  table: string;
  columns: string[];
  types: SqlType[];
  uniqIdx: string;
  /** raw values, row by row (columns.length per row). */
  rows: string[][];
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
  const last = groups.length > 0 ? groups[groups.length - 1] : null;
  if (last !== null && last.kind === op.kind && last.table === op.table && last.uniqIdx === op.uniqIdx && sameColumns(last, op.values)) {
    last.rows.push(op.values.map((v) => v.raw_value));
    return;
  }
  groups.push({
    kind: op.kind, table: op.table, uniqIdx: op.uniqIdx,
    columns: op.values.map((v) => v.column), types: op.values.map((v) => v.type),
    rows: [op.values.map((v) => v.raw_value)],
  });
}

function sameColumns(g: OperationGroup, values: SqlValue[]): boolean {
  if (g.columns.length !== values.length) return false;
  for (let i = 0; i < values.length; i++) if (g.columns[i] !== values[i].column || g.types[i] !== values[i].type) return false;
  return true;
}

/**
 * Upsert rows with the same key in one statement: the last wins (what applying them one by one
 * gives; PostgreSQL refuses to update a row twice in one statement).
 */
export function lastPerKey(g: OperationGroup): string[][] {
  if (g.kind !== 'upsert' || g.rows.length < 2) return g.rows;
  const at = g.columns.indexOf(g.uniqIdx);
  const byKey = new Map<string, string[]>();
  for (const r of g.rows) {
    byKey.delete(r[at]); // re-inserted: keeps the order of last occurrence
    byKey.set(r[at], r);
  }
  return byKey.size === g.rows.length ? g.rows : [...byKey.values()];
}

/** `"schema"."table"` from `schema.table`, each part quoted. */
export function quoteName(name: string): string {
  return name.split('.').map((p) => `"${p.replace(/"/g, '""')}"`).join('.');
}
