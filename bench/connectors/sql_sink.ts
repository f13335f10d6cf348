// sql-sink rows/s against a plain `pg` client writing the same rows with the same batch size
// (multi-row INSERT, one statement per batch), both into Debian's PostgreSQL started here.
//
//   npx node bench/connectors/sql_sink.ts [--rows N]      (default 100000; target: sink >= 90% of plain)
//
// The broker runs as its own process (as deployed); the records are produced before the clock
// starts, so the sink's figure is consume + transform-free write + commit, from start to last row.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { pino } from 'pino';
import { Eddy } from '@eddy/client';
import { defineSink, startConnector, type SinkWriter } from '@eddy/connector';
import { spawnBroker } from '../../packages/broker/test/support/launcher.ts';
import { sqlSink, type SqlSinkOptions } from '../../packages/connector-sql/src/mod.ts';
import { startPostgres } from '../../packages/connector-sql/test/postgres_server.ts';

const { values: args } = parseArgs({ options: { rows: { type: 'string', default: '100000' } } });
const N = Number(args.rows);

function row(i: number): [number, string, number] {
  return [i, `sensor-${i % 100}`, i / 8];
}

/** Inserts rows 0..n-1 into `table`, `batch` rows per statement; returns the milliseconds taken. */
async function plainInsert(client: pg.Client, table: string, n: number, batch: number): Promise<number> {
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
    await client.query(text, params);
  }
  return performance.now() - t;
}

const pgs = await startPostgres();
const dataDir = mkdtempSync(join(tmpdir(), 'eddy-bench-sql-'));
const broker = await spawnBroker({ dataDir });
const db = new pg.Client({ connectionString: pgs.url });
try {
  await db.connect();
  await db.query('CREATE TABLE via_sink (id INT, name TEXT, value DOUBLE PRECISION)');
  await db.query('CREATE TABLE via_pg (id INT, name TEXT, value DOUBLE PRECISION)');
  await db.query('CREATE TABLE via_pg2 (id INT, name TEXT, value DOUBLE PRECISION)');
  await db.query('CREATE TABLE warmup (id INT, name TEXT, value DOUBLE PRECISION)');
  await plainInsert(db, 'warmup', Math.min(N, 20_000), 1000);

  const eddy = await Eddy.connect({ endpoint: broker.endpoint });
  await eddy.admin().createTopic('bench-sql', { partitions: 1 });
  const producer = await eddy.producer('bench-sql');
  for (let i = 0; i < N; i++) {
    const [id, name, value] = row(i);
    void producer.send(null, JSON.stringify({ Insert: { table: 'via_sink', values: [
      { column: 'id', raw_value: String(id), type: 'Int' },
      { column: 'name', raw_value: name, type: 'Text' },
      { column: 'value', raw_value: String(value), type: 'DoublePrecision' },
    ] } }));
  }
  await producer.flush();
  await eddy.close();

  // The sink, counting its writes to learn its batch size.
  let writes = 0;
  let inWrite = 0;
  let firstWrite: number | null = null;
  let written = 0;
  let done: () => void = () => {};
  const finished = new Promise<void>((r) => { done = r; });
  const counted = defineSink<SqlSinkOptions>({
    ...sqlSink,
    async open(opts, ctx) {
      const w: SinkWriter = await sqlSink.open(opts, ctx);
      return {
        async write(batch) {
          const ws = performance.now();
          firstWrite ??= ws;
          await w.write(batch);
          inWrite += performance.now() - ws;
          writes++;
          written += batch.length;
          if (written >= N) done();
        },
        close: () => w.close?.(),
      };
    },
  });
  const t0 = performance.now();
  const c = await startConnector(counted, {
    configText: `meta: {name: bench, type: sql-sink, topic: bench-sql, consumer: {offset: {start: beginning}}}\nsql: {url: "${pgs.url}"}\n`,
    endpoint: broker.endpoint, logger: pino({ level: 'warn' }), metricsPort: -1,
  });
  await finished;
  const sinkMs = performance.now() - t0;
  await c.stop();
  const batch = Math.max(1, Math.round(written / writes));

  // The plain client: same rows, same batch size (known once the sink ran), one multi-row INSERT
  // per batch; two runs into fresh tables, averaged. A warm-up insert ran before the sink, so
  // both sides meet a warm server.
  const pgMs = (await plainInsert(db, 'via_pg', N, batch) + await plainInsert(db, 'via_pg2', N, batch)) / 2;

  const check = await db.query('SELECT (SELECT count(*) FROM via_sink)::int AS s, (SELECT count(*) FROM via_pg)::int AS p');
  if (check.rows[0].s !== N || check.rows[0].p !== N) throw new Error(`row counts: sink ${check.rows[0].s}, plain ${check.rows[0].p}, expected ${N}`);
  const sinkRate = N / (sinkMs / 1000);
  const pgRate = N / (pgMs / 1000);
  console.log(`rows: ${N}, batch: ${batch} rows (sink average, used for the plain client too)`);
  console.log(`sql-sink:  ${Math.round(sinkRate)} rows/s  (${(sinkMs / 1000).toFixed(2)} s, start to last row, ${writes} transactions)`);
  console.log(`           first write after ${Math.round(firstWrite! - t0)} ms; ${Math.round(inWrite)} ms inside write (parse + SQL + commit)`);
  console.log(`plain pg:  ${Math.round(pgRate)} rows/s  (${(pgMs / 1000).toFixed(2)} s, mean of two runs)`);
  console.log(`ratio:     ${(100 * sinkRate / pgRate).toFixed(1)}%  (target >= 90%)`);
} finally {
  await db.end().catch(() => {});
  await broker.stop();
  pgs.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
