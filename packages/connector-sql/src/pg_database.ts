import pg from 'pg';
import { PermanentError } from '@eddy/connector';
import type { OffsetKey, SqlDatabase } from './sql_database.ts';
import { lastPerKey, quoteName, type OperationGroup } from './sql_operation.ts';

/** PostgreSQL's limit is 65535 parameters per statement; stay under it. */
const MAX_PARAMS = 60_000;

/**
 * PostgreSQL through one `pg` connection. Values are sent as text parameters and PostgreSQL
 * converts them to the column types (as `raw_value` in Fluvio's model is text). A batch that is
 * one statement runs as that statement alone (atomic by itself: one round trip, offsets included
 * through a CTE); more statements run between BEGIN and COMMIT.
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
    const statements: { text: string; values: unknown[] }[] = [];
    for (const g of groups) statements.push(...groupStatements(g));
    const withOffset = next !== null && this.offsetsTable !== null;
    try {
      if (statements.length === 0) {
        if (withOffset) await c.query(this.offsetUpsert(0), [key.consumer, key.topic, key.partition, next]);
        return;
      }
      if (statements.length === 1) {
        const s = statements[0];
        if (withOffset) {
          const n = s.values.length;
          s.text = `WITH eddy_offset AS (${this.offsetUpsert(n)}) ${s.text}`;
          s.values.push(key.consumer, key.topic, key.partition, next);
        }
        await c.query(s.text, s.values);
        return;
      }
      await c.query('BEGIN');
      try {
        for (const s of statements) await c.query(s.text, s.values);
        if (withOffset) await c.query(this.offsetUpsert(0), [key.consumer, key.topic, key.partition, next]);
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

  private offsetUpsert(base: number): string {
    return `INSERT INTO ${this.offsetsTable!} (consumer, topic, partition, next_offset) VALUES ($${base + 1}, $${base + 2}, $${base + 3}, $${base + 4}) ON CONFLICT (consumer, topic, partition) DO UPDATE SET next_offset = EXCLUDED.next_offset`;
  }

  async close(): Promise<void> {
    const c = this.client;
    this.client = null;
    await c?.end().catch(() => {});
  }
}

/** One multi-row INSERT (or INSERT … ON CONFLICT DO UPDATE) per group, split at the parameter limit. */
function groupStatements(g: OperationGroup): { text: string; values: unknown[] }[] {
  const rows = lastPerKey(g);
  const cols = g.columns.map(quoteName);
  const head = `INSERT INTO ${quoteName(g.table)} (${cols.join(', ')}) VALUES `;
  let tail = '';
  if (g.kind === 'upsert') {
    const updates = cols.filter((_, i) => g.columns[i] !== g.uniqIdx).map((c) => `${c} = EXCLUDED.${c}`);
    tail = ` ON CONFLICT (${quoteName(g.uniqIdx)}) DO ${updates.length > 0 ? `UPDATE SET ${updates.join(', ')}` : 'NOTHING'}`;
  }
  const perStatement = Math.max(1, Math.floor(MAX_PARAMS / cols.length));
  const out: { text: string; values: unknown[] }[] = [];
  for (let start = 0; start < rows.length; start += perStatement) {
    const chunk = rows.slice(start, start + perStatement);
    const values: unknown[] = [];
    let text = head;
    let p = 0;
    for (let r = 0; r < chunk.length; r++) {
      text += r === 0 ? '(' : ', (';
      for (let i = 0; i < cols.length; i++) {
        text += i === 0 ? `$${++p}` : `, $${++p}`;
        values.push(chunk[r][i]);
      }
      text += ')';
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
