// Process entry of a broker (controller + one SPU), as `eddy cluster start` runs it:
//   node packages/broker/src/main.ts --data-dir D [--host H] [--port P] [--metrics-port M]
//        [--log-file F] [--log-level L] [--log-format json|pretty] [--max-frame-bytes N] [--frame-timeout-ms N] [--retention-check-ms N]
//        [--sm-memory-mb N] [--sm-time-budget-ms N] [--no-smartmodules] [--graph-checkpoint-ms N] [--no-graphs]
//        [--metadata local|etcd://HOST:PORT[,HOST:PORT…][/PREFIX/]]
// With etcd metadata a broker that is not the elected controller waits (standby) before listening.
// When ready, prints one JSON line {"event":"listening",...} on stdout (unless stdout is the log)
// and logs it as a pino info line with the same fields; logs go to --log-file (JSON) or stderr
// (pretty when stderr is a terminal, else JSON; --log-format overrides). SIGTERM/SIGINT shut down cleanly (flushing every log) and exit 0.
import { fstatSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startBroker } from './broker.ts';
import { DEFAULT_HOST, DEFAULT_METRICS_PORT, DEFAULT_PORT, DEFAULT_SMARTMODULE_MEMORY_BYTES, DEFAULT_SMARTMODULE_TIME_BUDGET_MS } from './defaults.ts';
import { defaultLogFormat, parseLogFormat } from './observability/logger.ts';
import type { LogFormat } from './observability/logger.ts';
import type { Broker } from './broker.ts';

const MIB = 1024 * 1024;

const USAGE = `usage: main.ts [--data-dir DIR] [--host HOST] [--port PORT] [--metrics-port PORT|-1]
               [--log-file FILE] [--log-level LEVEL] [--log-format json|pretty] [--max-frame-bytes N] [--frame-timeout-ms N] [--retention-check-ms N]
               [--sm-memory-mb N] [--sm-time-budget-ms N] [--no-smartmodules] [--graph-checkpoint-ms N] [--no-graphs]
               [--metadata local|etcd://HOST:PORT[,HOST:PORT...][/PREFIX/]]
defaults: --data-dir ~/.eddy/data --host ${DEFAULT_HOST} --port ${DEFAULT_PORT} --metrics-port ${DEFAULT_METRICS_PORT} --log-level info
          --log-format pretty on a terminal, json otherwise (a --log-file is always json)
          --sm-memory-mb ${DEFAULT_SMARTMODULE_MEMORY_BYTES / MIB} (per SmartModule instance) --sm-time-budget-ms ${DEFAULT_SMARTMODULE_TIME_BUDGET_MS} (per call)
          --metadata local (files under the data dir); with etcd (prefix /eddy/), one broker is the active
          controller and the others wait as standbys until its lease ends`;

function fail(message: string): never {
  process.stderr.write(`eddy-broker: ${message}\n`);
  process.exit(2);
}

function intFlag(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!/^-?\d+$/.test(v)) fail(`--${name} needs an integer, got '${v}'`);
  return Number(v);
}

function mibFlag(name: string, v: string | undefined): number | undefined {
  const n = intFlag(name, v);
  if (n === undefined) return undefined;
  if (n < 1) fail(`--${name} needs at least 1 (MiB), got ${n}`);
  return n * MIB;
}

/** parseArgs reads `--metrics-port -1` as a missing value; join negative numbers to their flag. */
function joinNegativeValues(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i].startsWith('--') && !argv[i].includes('=') && i + 1 < argv.length && /^-\d+$/.test(argv[i + 1])) {
      out.push(`${argv[i]}=${argv[++i]}`);
    } else {
      out.push(argv[i]);
    }
  }
  return out;
}

let args;
try {
  args = parseArgs({
    args: joinNegativeValues(process.argv.slice(2)),
    options: {
      'data-dir': { type: 'string' },
      host: { type: 'string' },
      port: { type: 'string' },
      'metrics-port': { type: 'string' },
      'log-file': { type: 'string' },
      'log-level': { type: 'string' },
      'log-format': { type: 'string' },
      'max-frame-bytes': { type: 'string' },
      'frame-timeout-ms': { type: 'string' },
      'retention-check-ms': { type: 'string' },
      'sm-memory-mb': { type: 'string' },
      'sm-time-budget-ms': { type: 'string' },
      'no-smartmodules': { type: 'boolean' },
      'graph-checkpoint-ms': { type: 'string' },
      'no-graphs': { type: 'boolean' },
      metadata: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowNegative: false,
  }).values;
} catch (err) {
  fail(`${(err as Error).message}\n${USAGE}`);
}
if (args.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}

/** Whether file descriptor `fd` and `other` (a descriptor or a path) are the same file. */
function sameFile(fd: number, other: number | string): boolean {
  try {
    const a = fstatSync(fd);
    const b = typeof other === 'number' ? fstatSync(other) : statSync(other);
    return a.dev === b.dev && a.ino === b.ino;
  } catch {
    return false;
  }
}

/**
 * Readiness: the JSON line {"event":"listening",...} on stdout, for a parent that waits for it
 * there, and a pino info line with the same fields in the log. The bare line never goes into the
 * log: when stdout is the log (a parent that sends both to one file and tails it, as
 * `eddy cluster start` does), the pino line alone is written, and its `event` and `port` fields
 * are what that parent looks for. It is logged whatever the log level, since someone waits for it.
 */
function announceListening(b: Broker, logFile: string | undefined): void {
  const fields = { event: 'listening', host: b.host, port: b.port, metricsPort: b.metricsPort, dataDir: b.dataDir };
  b.logger.child({}, { level: 'info' }).info(fields, 'broker listening');
  b.logger.flush();
  if (!sameFile(1, logFile ?? 2)) process.stdout.write(`${JSON.stringify({ ...fields, pid: process.pid })}\n`);
}

let logFormat: LogFormat;
try {
  logFormat = args['log-format'] !== undefined ? parseLogFormat(args['log-format']) : defaultLogFormat(2);
} catch (err) {
  fail((err as Error).message);
}

let broker: Broker;
try {
  broker = await startBroker({
    dataDir: args['data-dir'] ?? process.env.EDDY_DATA_DIR ?? join(homedir(), '.eddy', 'data'),
    host: args.host,
    port: intFlag('port', args.port),
    metricsPort: intFlag('metrics-port', args['metrics-port']),
    logger: { logFile: args['log-file'], level: args['log-level'] ?? process.env.EDDY_LOG_LEVEL ?? 'info', stderr: true, format: logFormat },
    maxFrameBytes: intFlag('max-frame-bytes', args['max-frame-bytes']),
    frameTimeoutMs: intFlag('frame-timeout-ms', args['frame-timeout-ms']),
    retentionCheckMs: intFlag('retention-check-ms', args['retention-check-ms']),
    smartModules: !args['no-smartmodules'],
    graphs: !args['no-graphs'],
    graphCheckpointMs: intFlag('graph-checkpoint-ms', args['graph-checkpoint-ms']),
    smartModuleMemoryBytes: mibFlag('sm-memory-mb', args['sm-memory-mb']),
    smartModuleTimeBudgetMs: intFlag('sm-time-budget-ms', args['sm-time-budget-ms']),
    metadata: args.metadata,
    // The broker closed itself; a process that is no longer the controller has nothing left to do.
    onLeadershipLost: () => process.exit(1),
  });
} catch (err) {
  fail(`could not start: ${(err as Error).message}`);
}

let stopping = false;
const stop = (signal: string): void => {
  if (stopping) return;
  stopping = true;
  broker.logger.info({ signal }, 'signal received');
  broker.close().then(
    () => process.exit(0),
    (err: Error) => { process.stderr.write(`eddy-broker: shutdown failed: ${err.message}\n`); process.exit(1); },
  );
};
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));
process.on('unhandledRejection', (err) => {
  broker.logger.error({ err: err instanceof Error ? err.stack : String(err) }, 'unhandled rejection');
});
process.on('uncaughtException', (err) => {
  broker.logger.fatal({ err: err.stack }, 'uncaught exception; exiting');
  process.exit(1);
});

// Announced only once the handlers above are in place: a parent may send SIGTERM the moment it
// reads this line, and before process.on('SIGTERM') that signal would kill the process (exit null).
announceListening(broker, args['log-file']);
