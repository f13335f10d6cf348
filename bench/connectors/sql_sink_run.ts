// The two sides of the sql-sink figure, shared by bench/connectors/sql_sink.ts (standalone) and
// bench/peers.ts: the sql-sink connector (in this process) writing records from an Eddy topic
// into PostgreSQL, and a plain `pg` client inserting the same rows with the same batch size (one
// multi-row INSERT per batch).
import pg from 'pg';
import { pino } from 'pino';
import { Eddy } from '@eddy/client';
import { defineSink, startConnector, type SinkWriter } from '@eddy/connector';
import { sqlSink, type SqlSinkOptions } from '@eddy/connector-sql';

export function row(i: number): [number, string, number] {
  return [i, `sensor-${i % 100}`, i / 8];
}

export async function createRowTable(db: pg.Client, table: string): Promise<void> {
  await db.query(`CREATE TABLE ${table} (id INT, name TEXT, value DOUBLE PRECISION)`);
}

/** Inserts rows 0..n-1 into `table`, `batch` rows per statement; returns the milliseconds taken. */
export async function plainInsert(db: pg.Client, table: string, n: number, batch: number): Promise<number> {
  const t = performance.now();
  for (let start = 0; start < n; start += batch) {
    const end = Math.min(n, start + batch);
    const params: unknown[] = [];
    let text = `INSERT INTO ${table} (id, name, value) VALUES `;
    for (let i = start; i < end; i++) {
      const p = params.length;
      text += `${i === start ? '' : ', '}($${p + 1}, $${p + 2}, $${p + 3})`;
      const [id, name, value] = row(i);
      params.push(String(id), name, String(value));
    }
    await db.query(text, params);
  }
  return performance.now() - t;
}

/** Produces rows 0..n-1 as Fluvio SQL-model Insert records for `table` into a new topic. */
export async function produceRowRecords(endpoint: string, topic: string, table: string, n: number): Promise<void> {
  const eddy = await Eddy.connect({ endpoint });
  try {
    await eddy.admin().createTopic(topic, { partitions: 1 });
    const producer = await eddy.producer(topic);
    for (let i = 0; i < n; i++) {
      const [id, name, value] = row(i);
      void producer.send(null, JSON.stringify({ Insert: { table, values: [
        { column: 'id', raw_value: String(id), type: 'Int' },
        { column: 'name', raw_value: name, type: 'Text' },
        { column: 'value', raw_value: String(value), type: 'DoublePrecision' },
      ] } }));
    }
    await producer.flush();
  } finally {
    await eddy.close();
  }
}

export interface SinkRun {
  /** From starting the connector to the last row committed. */
  ms: number;
  /** Transactions (write calls). */
  writes: number;
  /** Average rows per write: the batch size the plain client uses too. */
  batch: number;
  /** When the first write began, ms after the start. */
  firstWriteMs: number;
  /** Time spent inside write (parse + SQL + commit). */
  inWriteMs: number;
}

/** Runs sql-sink over `topic` (n records, produced before) into PostgreSQL at `url`. */
export async function runSqlSink(url: string, endpoint: string, topic: string, n: number): Promise<SinkRun> {
  // The sink, counting its writes to learn its batch size.
  let writes = 0;
  let inWrite = 0;
  let firstWrite = 0;
  let written = 0;
  let done: () => void = () => {};
  let failed: (err: Error) => void = () => {};
  const finished = new Promise<void>((resolve, reject) => { done = resolve; failed = reject; });
  const counted = defineSink<SqlSinkOptions>({
    ...sqlSink,
    async open(opts, ctx) {
      const w: SinkWriter = await sqlSink.open(opts, ctx);
      return {
        async write(batch) {
          const ws = performance.now();
          if (firstWrite === 0) firstWrite = ws;
          await w.write(batch);
          inWrite += performance.now() - ws;
          writes++;
          written += batch.length;
          if (written >= n) done();
        },
        close: () => w.close?.(),
      };
    },
  });
  // The connector gives up with a `failed` event (after its retries): end the run then, not at the timeout.
  const logger = pino({ level: 'warn' }, { write: (s: string) => { if (s.includes('"event":"failed"')) failed(new Error(`sql-sink: ${s.trim()}`)); } });
  const t0 = performance.now();
  const c = await startConnector(counted, {
    configText: `meta: {name: bench-${topic}, type: sql-sink, topic: ${topic}, consumer: {offset: {start: beginning}}}\nsql: {url: "${url}"}\n`,
    endpoint, logger, metricsPort: -1,
  });
  let t: NodeJS.Timeout | undefined;
  try {
    await Promise.race([finished, new Promise<never>((_, reject) => { t = setTimeout(() => reject(new Error(`sql-sink: ${written}/${n} rows in 120 s`)), 120_000); })]);
    const ms = performance.now() - t0;
    return { ms, writes, batch: Math.max(1, Math.round(written / writes)), firstWriteMs: firstWrite - t0, inWriteMs: inWrite };
  } finally {
    clearTimeout(t);
    await c.stop();
  }
}

/** Rows in `table`. */
export async function countRows(db: pg.Client, table: string): Promise<number> {
  const r = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`);
  return r.rows[0].n;
}
