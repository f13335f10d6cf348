// sql-sink rows/s against a plain `pg` client writing the same rows with the same batch size
// (multi-row INSERT, one statement per batch), both into Debian's PostgreSQL started here.
// `npm run bench:peers` measures the same figure (bench/connectors/sql_sink_run.ts) next to the others.
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
import { spawnBroker } from '../../packages/broker/test/support/launcher.ts';
import { startPostgres } from '../../packages/connector-sql/test/postgres_server.ts';
import { countRows, createRowTable, plainInsert, produceRowRecords, runSqlSink } from './sql_sink_run.ts';

const { values: args } = parseArgs({ options: { rows: { type: 'string', default: '100000' } } });
const N = Number(args.rows);

const pgs = await startPostgres();
const dataDir = mkdtempSync(join(tmpdir(), 'eddy-bench-sql-'));
const broker = await spawnBroker({ dataDir });
const db = new pg.Client({ connectionString: pgs.url });
try {
  await db.connect();
  for (const t of ['via_sink', 'via_pg', 'via_pg2', 'warmup']) await createRowTable(db, t);
  await plainInsert(db, 'warmup', Math.min(N, 20_000), 1000);
  await produceRowRecords(broker.endpoint, 'bench-sql', 'via_sink', N);
  const sink = await runSqlSink(pgs.url, broker.endpoint, 'bench-sql', N);

  // The plain client: same rows, same batch size (known once the sink ran), one multi-row INSERT
  // per batch; two runs into fresh tables, averaged. A warm-up insert ran before the sink, so
  // both sides meet a warm server.
  const pgMs = (await plainInsert(db, 'via_pg', N, sink.batch) + await plainInsert(db, 'via_pg2', N, sink.batch)) / 2;

  const [s, p] = [await countRows(db, 'via_sink'), await countRows(db, 'via_pg')];
  if (s !== N || p !== N) throw new Error(`row counts: sink ${s}, plain ${p}, expected ${N}`);
  const sinkRate = N / (sink.ms / 1000);
  const pgRate = N / (pgMs / 1000);
  console.log(`rows: ${N}, batch: ${sink.batch} rows (sink average, used for the plain client too)`);
  console.log(`sql-sink:  ${Math.round(sinkRate)} rows/s  (${(sink.ms / 1000).toFixed(2)} s, start to last row, ${sink.writes} transactions)`);
  console.log(`           first write after ${Math.round(sink.firstWriteMs)} ms; ${Math.round(sink.inWriteMs)} ms inside write (parse + SQL + commit)`);
  console.log(`plain pg:  ${Math.round(pgRate)} rows/s  (${(pgMs / 1000).toFixed(2)} s, mean of two runs)`);
  console.log(`ratio:     ${(100 * sinkRate / pgRate).toFixed(1)}%  (target >= 90%)`);
} finally {
  await db.end().catch(() => {});
  await broker.stop();
  pgs.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
