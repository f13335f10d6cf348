// PostgreSQL for the connector figures: Debian's server in a temp dir, started by the sql
// connector's test helper (initdb + pg_ctl, fsync off), reported Unavailable when not installed,
// and stopped by stopAll() / at exit like every server the benchmark starts.
import { join } from 'node:path';
import { binDir, startPostgres, type PostgresServer } from '../../packages/connector-sql/test/postgres_server.ts';
import { requirePackage, versionOf } from './binaries.ts';
import { trackCleanup } from './processes.ts';
import type { RunContext } from './peer.ts';

/** What every PostgreSQL of the run is configured for, stated next to its figures. */
export const PG_DURABILITY = 'PostgreSQL commit, fsync off, synchronous_commit off';

function installed(): boolean {
  try {
    binDir();
    return true;
  } catch {
    return false;
  }
}

export function postgresVersion(): string {
  return installed() ? versionOf(join(binDir(), 'postgres'), ['--version']) : 'not installed';
}

export async function startBenchPostgres(ctx: RunContext): Promise<PostgresServer> {
  requirePackage(installed, 'PostgreSQL server', 'postgresql', ctx.install, ctx.log);
  const pgs = await startPostgres();
  const untrack = trackCleanup(() => pgs.stop());
  return {
    url: pgs.url,
    stop() {
      untrack();
      pgs.stop();
    },
  };
}
