import { PermanentError, defineSink, type SinkRecord } from '@eddy/connector';
import { PgDatabase } from './pg_database.ts';
import type { SqlDatabase } from './sql_database.ts';
import { OperationReader } from './operation_reader.ts';
import type { OperationGroup } from './sql_operation.ts';
import { SqliteDatabase } from './sqlite_database.ts';

export interface SqlSinkOptions {
  url: string;
  offsets_table: string;
  exactly_once: boolean;
  backoff_min?: unknown;
  backoff_max?: unknown;
}

/**
 * sql-sink: writes records in Fluvio's SQL model (`{"Insert":…}` / `{"Upsert":…}`) to PostgreSQL
 * or SQLite, one transaction per batch. With `exactly_once` (default) the next offset per
 * partition is stored in `offsets_table` inside that transaction, and records below it are skipped
 * on redelivery: after any crash each record is in the table exactly once. The kit commits the
 * consumer offset only after the transaction committed, so nothing is ever skipped.
 */
export const sqlSink = defineSink<SqlSinkOptions>({
  name: 'sql-sink',
  version: '0.1.0',
  description: "Writes Fluvio SQL-model records (Insert/Upsert) to PostgreSQL or SQLite in one transaction per batch",
  options: {
    type: 'object',
    required: ['url'],
    additionalProperties: false,
    properties: {
      url: { type: 'string', pattern: '^(postgres(ql)?|sqlite):', description: "postgresql://user:password@host:port/db, or sqlite://path (sqlite::memory: for a memory database)" },
      exactly_once: { type: 'boolean', default: true, description: 'Store the written position in the database with the data (one row per partition): each record lands exactly once even after a crash; false: at least once (inserts may repeat after a crash)' },
      offsets_table: { type: 'string', minLength: 1, default: 'eddy_sink_offsets', description: 'The table holding the written position (created if missing)' },
      backoff_min: { description: "Accepted for Fluvio configs; retries use the connector's retry budget" },
      backoff_max: { description: "Accepted for Fluvio configs; retries use the connector's retry budget" },
    },
  },
  async open(opts, ctx) {
    const offsetsTable = opts.exactly_once ? opts.offsets_table : null;
    const db: SqlDatabase = opts.url.startsWith('sqlite:')
      ? new SqliteDatabase(sqlitePath(opts.url), offsetsTable)
      : new PgDatabase(opts.url, offsetsTable);
    const consumer = ctx.config.consumer.id;
    const topic = ctx.config.topic.name;
    let written: Map<number, number>;
    try {
      written = await db.loadOffsets(consumer, topic);
    } catch (err) {
      await db.close();
      throw err;
    }
    ctx.logger.info({ event: 'sql-open', database: opts.url.startsWith('sqlite:') ? 'sqlite' : 'postgresql', exactlyOnce: opts.exactly_once, written: Object.fromEntries(written) }, 'database open');
    const groups: OperationGroup[] = [];
    const reader = new OperationReader();
    // After a failed write the commit may still have happened (the reply was lost): read the
    // recorded position again before retrying, so the retry does not write those rows twice.
    let reload = false;
    return {
      async write(batch: readonly SinkRecord[]) {
        if (reload && offsetsTable !== null) {
          written = await db.loadOffsets(consumer, topic);
          reload = false;
        }
        const p = batch[0].partition;
        const from = written.get(p) ?? -1;
        groups.length = 0;
        let bad: Error | null = null;
        let next = batch[batch.length - 1].offset + 1;
        for (const r of batch) {
          if (r.offset < from) continue; // in the database already (written before a crash)
          try {
            reader.add(groups, r.value, `record ${r.topic}/${r.partition}@${r.offset}`);
          } catch (err) {
            // Write what came before it, then stop at the bad record (never skipped).
            bad = err as Error;
            next = r.offset;
            break;
          }
        }
        if (bad !== null && groups.length === 0) throw bad;
        if (groups.length === 0 && next <= from) return;
        reload = true;
        await db.write(groups, { consumer, topic, partition: p }, offsetsTable === null ? null : next);
        reload = false;
        written.set(p, next);
        if (bad !== null) throw bad;
      },
      close: () => db.close(),
    };
  },
});

/** `sqlite://path`, `sqlite:path`, `sqlite::memory:` → the path node:sqlite opens. */
function sqlitePath(url: string): string {
  let rest = url.slice('sqlite:'.length);
  if (rest.startsWith('//')) rest = rest.slice(2);
  const q = rest.indexOf('?');
  if (q >= 0) rest = rest.slice(0, q);
  if (rest === '') throw new PermanentError("sql.url: 'sqlite:' needs a path (sqlite://data.db)");
  return rest;
}
