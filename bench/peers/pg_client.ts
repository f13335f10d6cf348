// The plain `pg` client (a baseline, not a peer): the sql-sink figure's reference. The same rows
// as the sink writes, one multi-row INSERT per batch of the sink's own average batch size, into a
// PostgreSQL started the same way. It takes part in no other figure.
import pg from 'pg';
import { createRequire } from 'node:module';
import { Unavailable, type Durability, type PeerServer, type PeerSystem, type RunContext } from '../support/peer.ts';
import { postgresVersion, startBenchPostgres } from '../support/postgres.ts';
import { countRows, createRowTable, plainInsert } from '../connectors/sql_sink_run.ts';
import { PG_CLIENT } from '../workloads.ts';

const noFigure = async (): Promise<never> => { throw new Unavailable('a baseline of the sql-sink figure only'); };

function pgModuleVersion(): string {
  try {
    return (createRequire(import.meta.url)('pg/package.json') as { version: string }).version;
  } catch {
    return '?';
  }
}

export const pgClient: PeerSystem = {
  name: PG_CLIENT,
  short: 'pg',
  only: ['sqlSink'],
  async version() {
    return `${postgresVersion()}, node-postgres ${pgModuleVersion()}`;
  },
  async start(durability: Durability, ctx: RunContext): Promise<PeerServer> {
    if (durability === 'fsync') throw new Unavailable('a baseline of the sql-sink figure only');
    const pgs = await startBenchPostgres(ctx);
    const db = new pg.Client({ connectionString: pgs.url });
    try {
      await db.connect();
    } catch (err) {
      pgs.stop();
      throw err;
    }
    const pid = (await db.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid;
    return {
      pid,
      durability: 'PostgreSQL commit',
      produce: noFigure,
      consume: noFigure,
      e2e: noFigure,
      async sqlSink(spec) {
        const table = spec.stream.replace(/\W/g, '_');
        await createRowTable(db, `${table}_warmup`);
        await createRowTable(db, table);
        await plainInsert(db, `${table}_warmup`, spec.warmupRows, spec.batch);
        const ms = await plainInsert(db, table, spec.rows, spec.batch);
        const n = await countRows(db, table);
        if (n !== spec.rows) throw new Error(`plain client wrote ${n} of ${spec.rows} rows`);
        return { perSec: spec.rows / (ms / 1000), detail: { rows: spec.rows, seconds: Number((ms / 1000).toFixed(4)), batch: spec.batch, transactions: Math.ceil(spec.rows / spec.batch) } };
      },
      async stop() {
        await db.end().catch(() => {});
        pgs.stop();
      },
    };
  },
};
