import pg from 'pg';
import { PermanentError } from '@eddy/connector';
import type { OffsetKey, SqlDatabase } from './sql_database.ts';
import { CopyIn } from './copy_in.ts';
import { lastPerKey, quoteName, type OperationGroup } from './sql_operation.ts';

/** PostgreSQL's limit is 65535 parameters per statement; stay under it. */
const MAX_PARAMS = 60_000;

/**
 * PostgreSQL through one `pg` connection. Values are sent as text (COPY data for inserts, text
 * parameters for upserts) and PostgreSQL converts them to the column types (as `raw_value` in
 * Fluvio's model is text). A batch of inserts is one message (its COPYs and the offset, one
 * implicit transaction, one round trip); one upsert statement runs alone with the offset in a
 * CTE; anything else runs between BEGIN and COMMIT.
 */
export class PgDatabase implements SqlDatabase {
  private readonly url: string;
  private readonly offsetsTable: string | null;
  private client: pg.Client | null = null;

  constructor(url: string, offsetsTable: string | null) {
    this.url = url;
    this.offsetsTable = offsetsTable === null ? null : quoteName(offsetsTable);
  }

  /** Connects (or reconnects after a failure) and makes sure the offsets table exists. */
  private async connection(): Promise<pg.Client> {
    if (this.client !== null) return this.client;
    const c = new pg.Client({ connectionString: this.url });
    c.on('error', () => { if (this.client === c) this.client = null; });
    try {
      await c.connect();
      if (this.offsetsTable !== null) {
        await c.query(`CREATE TABLE IF NOT EXISTS ${this.offsetsTable} (consumer TEXT NOT NULL, topic TEXT NOT NULL, partition INTEGER NOT NULL, next_offset BIGINT NOT NULL, PRIMARY KEY (consumer, topic, partition))`);
      }
    } catch (err) {
      await c.end().catch(() => {});
      throw classify(err);
    }
    this.client = c;
    return c;
  }

  async loadOffsets(consumer: string, topic: string): Promise<Map<number, number>> {
    const out = new Map<number, number>();
    const c = await this.connection();
    if (this.offsetsTable === null) return out;
    const res = await c.query<{ partition: number; next_offset: string }>(`SELECT partition, next_offset FROM ${this.offsetsTable} WHERE consumer = $1 AND topic = $2`, [consumer, topic]);
    for (const r of res.rows) out.set(r.partition, Number(r.next_offset));
    return out;
  }

  async write(groups: readonly OperationGroup[], key: OffsetKey, next: number | null): Promise<void> {
    const c = await this.connection();
    const offset = next !== null && this.offsetsTable !== null
      ? `INSERT INTO ${this.offsetsTable} (consumer, topic, partition, next_offset) VALUES (${c.escapeLiteral(key.consumer)}, ${c.escapeLiteral(key.topic)}, ${key.partition}, ${next}) ${OFFSET_CONFLICT}`
      : null;
    try {
      if (groups.every((g) => g.kind === 'insert')) {
        // Inserts only (the usual batch): every group a COPY, and the offset, in one message.
        const statements: string[] = [];
        const data: Buffer[] = [];
        for (const g of groups) { statements.push(copyStatement(g)); data.push(copyData(g)); }
        if (offset !== null) statements.push(offset);
        if (statements.length > 0) await run(c, new CopyIn(statements.join('; '), data));
        return;
      }
      const single = groups.length === 1 ? upsertStatements(groups[0]) : [];
      if (single.length === 1) {
        // One upsert statement: atomic by itself, the offset joins it through a CTE.
        const s = single[0];
        await c.query(offset === null ? s.text : `WITH eddy_offset AS (${offset}) ${s.text}`, s.values);
        return;
      }
      await c.query('BEGIN');
      try {
        for (const g of groups) {
          if (g.kind === 'insert') await run(c, new CopyIn(copyStatement(g), [copyData(g)]));
          else for (const s of upsertStatements(g)) await c.query(s.text, s.values);
        }
        if (offset !== null) await c.query(offset);
        await c.query('COMMIT');
      } catch (err) {
        await c.query('ROLLBACK').catch(() => {});
        throw err;
      }
    } catch (err) {
      const e = classify(err);
      if (!(e instanceof PermanentError)) {
        // The connection may be gone: start over with a new one on the retry.
        this.client = null;
        await c.end().catch(() => {});
      }
      throw e;
    }
  }

  async close(): Promise<void> {
    const c = this.client;
    this.client = null;
    await c?.end().catch(() => {});
  }
}

const OFFSET_CONFLICT = 'ON CONFLICT (consumer, topic, partition) DO UPDATE SET next_offset = EXCLUDED.next_offset';

function run(c: pg.Client, q: CopyIn): Promise<void> {
  c.query(q);
  return q.done;
}

/**
 * Inserts go by COPY: the values travel as the text they are (PostgreSQL applies each column's
 * input function, as for text parameters) with no statement to parse and plan per batch.
 */
function copyStatement(g: OperationGroup): string {
  return `COPY ${quoteName(g.table)} (${g.columns.map(quoteName).join(', ')}) FROM STDIN`;
}

/** COPY text format: tab between values, newline after rows; backslash, tab, CR and LF escaped. */
function copyData(g: OperationGroup): Buffer {
  const w = g.columns.length;
  const v = g.values;
  let text = '';
  for (let r = 0; r < v.length; r += w) {
    for (let i = 0; i < w; i++) {
      const s = g.plain ? v[r + i] : v[r + i].replace(COPY_SPECIAL, copyEscape);
      text += i === w - 1 ? `${s}\n` : `${s}\t`;
    }
  }
  return Buffer.from(text, 'utf8');
}

const COPY_SPECIAL = /[\\\t\n\r]/g;
const COPY_ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };
function copyEscape(ch: string): string {
  return COPY_ESCAPES[ch];
}

/** One multi-row INSERT … ON CONFLICT DO UPDATE per group, split at the parameter limit. */
function upsertStatements(g: OperationGroup): { text: string; values: string[] }[] {
  const rows = lastPerKey(g);
  const w = g.columns.length;
  const cols = g.columns.map(quoteName);
  const head = `INSERT INTO ${quoteName(g.table)} (${cols.join(', ')}) VALUES `;
  const updates = cols.filter((_, i) => g.columns[i] !== g.uniqIdx).map((c) => `${c} = EXCLUDED.${c}`);
  const tail = ` ON CONFLICT (${quoteName(g.uniqIdx)}) DO ${updates.length > 0 ? `UPDATE SET ${updates.join(', ')}` : 'NOTHING'}`;
  const perStatement = Math.max(1, Math.floor(MAX_PARAMS / w)) * w;
  const out: { text: string; values: string[] }[] = [];
  for (let start = 0; start < rows.length; start += perStatement) {
    const values = rows.slice(start, start + perStatement);
    let text = head;
    for (let p = 0; p < values.length; p++) {
      text += p % w === 0 ? `${p === 0 ? '' : ', '}($${p + 1}` : `, $${p + 1}`;
      if (p % w === w - 1) text += ')';
    }
    out.push({ text: text + tail, values });
  }
  return out;
}

/**
 * Errors retrying cannot fix (bad data, missing table or column, constraint, auth) become
 * PermanentError; connection trouble, shutdowns, deadlocks and serialization failures are retried.
 */
function classify(err: unknown): Error {
  const code = (err as { code?: unknown }).code;
  const e = err instanceof Error ? err : new Error(String(err));
  if (typeof code !== 'string' || !/^[0-9A-Z]{5}$/.test(code)) return e; // network: retry
  const cls = code.slice(0, 2);
  if (cls === '08' || cls === '40' || cls === '53' || cls === '57' || cls === '58') return e;
  return new PermanentError(`PostgreSQL ${code}: ${e.message}`, { cause: e });
}
