import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline/promises';
import { Option } from 'commander';
import type { Command } from 'commander';
import { addProfile, Eddy } from '../client.ts';
import { CliError, isUnreachable } from '../errors.ts';
import { localPaths, DEFAULT_HOST, DEFAULT_PORT, DEFAULT_METRICS_PORT, LOCAL_PROFILE } from '../home.ts';
import { intArg, durationArg, sizeArg, outputOption } from './options.ts';
import type { OutputFormat } from '../format/output.ts';
import { printResult } from '../format/output.ts';
import {
  assertNotRunning, runningCluster, startBackground, recordForeground, removePidFile, readState,
  endpointOf, assertDeletable,
} from '../cluster/local_cluster.ts';
import type { ClusterState } from '../cluster/local_cluster.ts';
import { waitForExit } from '../cluster/process_state.ts';
import { assertPortsFree } from './port_check.ts';
import { ensureLocalEtcd, stopLocalEtcd } from '../cluster/local_etcd.ts';

interface StartOptions {
  dataDir?: string;
  host: string;
  port: number;
  metricsPort: number;
  foreground?: boolean;
  timeout: number;
  smTimeBudget?: number;
  smMemory?: number;
  logFormat?: 'json' | 'pretty';
  metadata?: string;
}

const MIB = 1024 * 1024;

/** The SmartModule sandbox limits given on the command line (bytes rounded up to whole MiB). */
function smartModuleLimits(o: StartOptions): { smTimeBudgetMs?: number; smMemoryMb?: number } {
  return {
    ...(o.smTimeBudget !== undefined ? { smTimeBudgetMs: Math.max(1, o.smTimeBudget) } : {}),
    ...(o.smMemory !== undefined ? { smMemoryMb: Math.max(1, Math.ceil(o.smMemory / MIB)) } : {}),
  };
}

export function registerCluster(program: Command): void {
  const cluster = program.command('cluster').description('run a local cluster: controller and one SPU in one process');

  cluster.command('start')
    .description('start the local cluster in the background (pid and log under $EDDY_HOME) and make the "local" profile current')
    .option('--data-dir <dir>', 'where topics and metadata live (default $EDDY_HOME/data)')
    .option('--host <host>', 'address to listen on', DEFAULT_HOST)
    .addOption(new Option('--port <port>', 'client port (0 picks a free one)').argParser(intArg(0, 65535)).default(DEFAULT_PORT))
    .addOption(new Option('--metrics-port <port>', 'Prometheus /metrics port (0 picks a free one, -1 disables it)').argParser(intArg(-1, 65535)).default(DEFAULT_METRICS_PORT))
    .option('--foreground', 'run in this process and log to stdout (containers, npm start); Ctrl-C or SIGTERM stops it')
    .addOption(new Option('--timeout <time>', 'how long to wait for the broker to start').argParser(durationArg({ bareUnit: 's' })).default(60_000, '60s'))
    .addOption(new Option('--sm-time-budget <time>', "longest a SmartModule call may run before its stream fails, e.g. '500ms' (default 1s)").argParser(durationArg({ bareUnit: 'ms' })))
    .addOption(new Option('--sm-memory <size>', "memory cap of each SmartModule instance, e.g. '64MiB'").argParser(sizeArg()))
    .addOption(new Option('--log-format <format>', 'with --foreground: how logs look on stdout (default: pretty on a terminal, json when piped)').choices(['json', 'pretty']))
    .option('--metadata <where>', "'local' (files in the data dir, the default), 'etcd' (a local etcd, started if needed) or etcd://HOST:PORT[,HOST:PORT...]")
    .action(async (o: StartOptions) => {
      // The background log file stays JSON: `cluster start` reads the broker's readiness from it.
      if (o.logFormat !== undefined && !o.foreground) throw new CliError('--log-format applies to --foreground only (the background log file is always json)');
      assertNotRunning();
      await assertPortsFree(o.host, [{ flag: '--port', port: o.port }, { flag: '--metrics-port', port: o.metricsPort }]);
      const dataDir = path.resolve(o.dataDir ?? localPaths().dataDir);
      if (o.metadata === 'etcd') o.metadata = await ensureLocalEtcd(o.timeout);
      if (o.foreground) return startForeground(o, dataDir);
      const state = await startBackground({ dataDir, host: o.host, port: o.port, metricsPort: o.metricsPort, timeoutMs: o.timeout, metadata: o.metadata, ...smartModuleLimits(o) });
      const endpoint = endpointOf(state);
      useLocalProfile(endpoint);
      process.stdout.write(`local cluster started (pid ${state.pid}) at ${endpoint}\n`
        + `  data: ${state.dataDir}\n  log: ${state.logFile}\n  metrics: ${metricsUrl(state) ?? 'off'}\n`
        + `  profile "${LOCAL_PROFILE}" is current\n`);
    });

  cluster.command('status')
    .description('is the local cluster running? (exit code 1 if not)')
    .addOption(outputOption())
    .action(async (o: { output: OutputFormat }) => {
      const state = runningCluster();
      if (!state) throw new CliError("the local cluster is not running (start it with 'eddy cluster start')");
      const endpoint = endpointOf(state);
      const status: Record<string, unknown> = {
        running: true, pid: state.pid, endpoint, foreground: state.foreground, dataDir: state.dataDir,
        logFile: state.logFile, metrics: metricsUrl(state),
      };
      let failure: unknown = null;
      try {
        const eddy = await Eddy.connect({ endpoint });
        try {
          const admin = eddy.admin();
          const [spus, topics] = await Promise.all([admin.listSpus(), admin.listTopics()]);
          status.spus = spus.length;
          status.spusOnline = spus.filter((s) => s.status.resolution === 'Online').length;
          status.topics = topics.length;
        } finally {
          await eddy.close().catch(() => {});
        }
      } catch (err) {
        failure = err;
        status.reachable = false;
      }
      const rows = [
        ['status', failure === null ? 'running' : 'running, but not answering'],
        ['pid', String(state.pid) + (state.foreground ? ' (foreground)' : '')],
        ['endpoint', endpoint],
        ...(failure === null ? [['SPUs online', `${status.spusOnline}/${status.spus}`], ['topics', String(status.topics)]] : []),
        ['metrics', metricsUrl(state) ?? 'off'],
        ['data', state.dataDir],
        ...(state.logFile ? [['log', state.logFile]] : []),
      ].map(([field, value]) => ({ field, value }));
      printResult(o.output, status, rows, [{ header: 'CLUSTER', cell: (r) => r.field }, { header: '', cell: (r) => r.value }], '');
      if (failure !== null) {
        throw new CliError(`the local cluster (pid ${state.pid}) does not answer at ${endpoint}: ${isUnreachable(failure) ? 'connection refused' : (failure as Error).message}`);
      }
    });

  cluster.command('stop')
    .description('stop the local cluster cleanly (flushes data) and wait for it to exit')
    .addOption(new Option('--timeout <time>', 'how long to wait for a clean shutdown').argParser(durationArg({ bareUnit: 's' })).default(60_000, '60s'))
    .action(async (o: { timeout: number }) => {
      const state = runningCluster();
      if (state) await stop(state, o.timeout);
      // Also when the broker is already gone (crashed, killed): its etcd would run on unowned.
      const etcdPid = await stopLocalEtcd();
      const etcd = etcdPid === null ? '' : `; its local etcd stopped (pid ${etcdPid})`;
      process.stdout.write(`${state ? `local cluster stopped (pid ${state.pid})` : 'the local cluster is not running'}${etcd}\n`);
    });

  cluster.command('delete')
    .description("stop the local cluster and delete its data (asks first; --force doesn't)")
    .option('--force', 'do not ask for confirmation')
    .option('--data-dir <dir>', 'the data directory to delete (default: the one the cluster was started with)')
    .addOption(new Option('--timeout <time>', 'how long to wait for a clean shutdown').argParser(durationArg({ bareUnit: 's' })).default(60_000, '60s'))
    .action(async (o: { force?: boolean; dataDir?: string; timeout: number }) => {
      const running = runningCluster();
      const dataDir = path.resolve(o.dataDir ?? running?.dataDir ?? readState()?.dataDir ?? localPaths().dataDir);
      assertDeletable(dataDir);
      if (!o.force) {
        if (!process.stdin.isTTY) {
          throw new CliError(`refusing to delete ${dataDir} without confirmation: run in a terminal or pass --force`);
        }
        const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
        const answer = await rl.question(`Delete the local cluster${running ? ` (running, pid ${running.pid})` : ''} and all its data in ${dataDir}? [y/N] `);
        rl.close();
        if (!/^y(es)?$/i.test(answer.trim())) {
          process.stdout.write('nothing deleted\n');
          return;
        }
      }
      if (running) await stop(running, o.timeout);
      fs.rmSync(dataDir, { recursive: true, force: true });
      fs.rmSync(localPaths().stateFile, { force: true });
      removePidFile();
      process.stdout.write(`local cluster deleted (${dataDir} removed)\n`);
    });
}

/** SIGTERM, then wait: the broker flushes and closes its segments before it exits. */
async function stop(state: ClusterState, timeoutMs: number): Promise<void> {
  try {
    process.kill(state.pid, 'SIGTERM');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EPERM') throw new CliError(`not allowed to stop the cluster (pid ${state.pid})`);
  }
  if (!(await waitForExit(state.pid, timeoutMs))) {
    throw new CliError(`the cluster (pid ${state.pid}) did not stop within ${Math.round(timeoutMs / 1000)}s; it may still be flushing (kill -9 ${state.pid} forces it, and recovery runs on the next start)`);
  }
  removePidFile();
}

/** The Prometheus URL, or null when the cluster runs without one (--metrics-port -1). */
function metricsUrl(state: Pick<ClusterState, 'host' | 'metricsPort'>): string | null {
  return state.metricsPort < 0 ? null : `http://${endpointOf({ host: state.host, port: state.metricsPort })}/metrics`;
}

/** Like `fluvio cluster start --local`: the "local" profile points at this cluster and is current. */
function useLocalProfile(endpoint: string): void {
  addProfile(LOCAL_PROFILE, endpoint, { makeCurrent: true });
}

async function startForeground(o: StartOptions, dataDir: string): Promise<void> {
  const { startBroker } = await import('@eddy/broker');
  fs.mkdirSync(dataDir, { recursive: true });
  const limits = smartModuleLimits(o);
  const broker = await startBroker({
    dataDir, host: o.host, port: o.port, metricsPort: o.metricsPort, metadata: o.metadata,
    logger: { format: o.logFormat ?? (process.stdout.isTTY ? 'pretty' : 'json') },
    ...(limits.smTimeBudgetMs !== undefined ? { smartModuleTimeBudgetMs: limits.smTimeBudgetMs } : {}),
    ...(limits.smMemoryMb !== undefined ? { smartModuleMemoryBytes: limits.smMemoryMb * MIB } : {}),
  });
  // Handlers first, then the pid file and the banner: whoever reads those may signal at once.
  const stopped = new Promise<void>((resolve) => {
    let stopping = false;
    const shutdown = () => {
      if (stopping) return;
      stopping = true;
      broker.close().catch((err: unknown) => {
        process.stderr.write(`error: shutdown failed: ${(err as Error).message}\n`);
        process.exitCode = 1;
      }).finally(() => {
        removePidFile();
        resolve();
      });
    };
    process.once('SIGINT', shutdown);
    process.once('SIGTERM', shutdown);
  });
  recordForeground({ host: broker.host, port: broker.port, metricsPort: broker.metricsPort, dataDir, logFile: null });
  const endpoint = endpointOf(broker);
  useLocalProfile(endpoint);
  process.stderr.write(`local cluster running in the foreground (pid ${process.pid}) at ${endpoint}; Ctrl-C stops it\n`);
  await stopped;
}
