import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { CliError } from '../errors.ts';
import { DEFAULT_METRICS_PORT, DEFAULT_PORT, localPaths } from '../home.ts';
import { isAlive, commandLine, sleep } from './process_state.ts';

/** What `eddy cluster start` recorded about the local cluster ($EDDY_HOME/cluster.json). */
export interface ClusterState {
  pid: number;
  host: string;
  port: number;
  metricsPort: number;
  dataDir: string;
  logFile: string | null;
  foreground: boolean;
  startedAt: string;
}

export interface StartOptions {
  dataDir: string;
  host: string;
  port: number;
  metricsPort: number;
  /** How long to wait for the broker to listen. */
  timeoutMs: number;
  /** Longest a SmartModule call may run (broker default when unset). */
  smTimeBudgetMs?: number;
  /** Memory cap of each SmartModule instance, in MiB (broker default when unset). */
  smMemoryMb?: number;
  /** The broker's --metadata ('local' when unset). */
  metadata?: string;
}

export function endpointOf(s: Pick<ClusterState, 'host' | 'port'>): string {
  const host = s.host === '0.0.0.0' ? '127.0.0.1' : s.host === '::' ? '::1' : s.host;
  return host.includes(':') ? `[${host}]:${s.port}` : `${host}:${s.port}`;
}

/** The packages whose compiled JS (dist/) the broker process runs when it is up to date. */
const DIST_PACKAGES = ['@eddy/broker', '@eddy/protocol', '@eddy/smartengine', '@eddy/dataflow'] as const;
/** Export condition under which those packages resolve to dist/ instead of src/. */
export const DIST_CONDITION = 'eddy-dist';

/**
 * A package's directory, from its entry: src/mod.ts under the `source` condition (the repo),
 * dist/mod.js otherwise (an installed copy, which ships no src/).
 */
function packageDir(name: string): string {
  return path.dirname(path.dirname(fileURLToPath(import.meta.resolve(name))));
}

/** The broker's TypeScript entry, found through the @eddy/broker package. */
export function brokerMainPath(): string {
  return path.join(packageDir('@eddy/broker'), 'src', 'main.ts');
}

function newestMtime(dir: string, skip: (name: string) => boolean): number {
  let newest = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestMtime(p, skip));
    else if (!skip(e.name)) newest = Math.max(newest, fs.statSync(p).mtimeMs);
  }
  return newest;
}

/**
 * How to run the broker process, newest build first: the bundle of the compiled JS
 * (dist/bundle/main.js, written by `npm run build:dist`, which `npm ci` runs), else the compiled
 * JS, else the TypeScript entry. A build is used only when it is newer than every source file it
 * was made from, so edits always take effect. Compiled JS idles at ~35 MB less RSS than the
 * sources (Node's type stripper is never loaded) and the bundle at ~9 MB less again (one module
 * graph of a few files instead of ~130).
 */
export function brokerLaunch(): { args: string[]; compiled: boolean; bundled: boolean } {
  const ts = brokerMainPath();
  const mtime = (p: string): number => { try { return fs.statSync(p).mtimeMs; } catch { return 0; } };
  let sources = 0;
  let dist = Infinity;
  for (const name of DIST_PACKAGES) {
    const dir = packageDir(name);
    dist = Math.min(dist, mtime(path.join(dir, 'dist', 'mod.js')));
    const srcDir = path.join(dir, 'src');
    if (fs.existsSync(srcDir)) sources = Math.max(sources, newestMtime(srcDir, (n) => !n.endsWith('.ts') || n.endsWith('.test.ts')));
  }
  const distDir = path.join(packageDir('@eddy/broker'), 'dist');
  const main = path.join(distDir, 'main.js');
  dist = Math.min(dist, mtime(main));
  const bundle = path.join(distDir, 'bundle', 'main.js');
  if (dist >= sources && mtime(bundle) >= dist) return { args: [bundle], compiled: true, bundled: true };
  if (dist >= sources) return { args: [`--conditions=${DIST_CONDITION}`, main], compiled: true, bundled: false };
  return { args: [ts], compiled: false, bundled: false };
}

export function readState(): ClusterState | null {
  try {
    return JSON.parse(fs.readFileSync(localPaths().stateFile, 'utf8')) as ClusterState;
  } catch {
    return null;
  }
}

function writeState(s: ClusterState): void {
  const { stateFile, pidFile, home } = localPaths();
  fs.mkdirSync(home, { recursive: true });
  fs.writeFileSync(stateFile, JSON.stringify(s, null, 2) + '\n');
  fs.writeFileSync(pidFile, `${s.pid}\n`);
}

function readPid(): number | null {
  try {
    const n = Number(fs.readFileSync(localPaths().pidFile, 'utf8').trim());
    return Number.isInteger(n) && n > 0 ? n : null;
  } catch {
    return null;
  }
}

/** Removes the pid file (the state file stays: it remembers the data dir for `cluster delete`). */
export function removePidFile(): void {
  fs.rmSync(localPaths().pidFile, { force: true });
}

/**
 * The running local cluster, or null. A pid file whose process is gone, or whose pid now belongs
 * to an unrelated program, is stale and removed.
 */
export function runningCluster(): ClusterState | null {
  const pid = readPid();
  if (pid === null) return null;
  const cmd = commandLine(pid);
  if (!isAlive(pid) || (cmd !== null && !/eddy|broker/.test(cmd))) {
    removePidFile();
    return null;
  }
  const state = readState();
  if (state && state.pid === pid) return state;
  const p = localPaths();
  return { pid, host: '127.0.0.1', port: DEFAULT_PORT, metricsPort: DEFAULT_METRICS_PORT, dataDir: p.dataDir, logFile: p.logFile, foreground: false, startedAt: '' };
}

/** Refuses when a cluster is already running (Fluvio: one local cluster per home). */
export function assertNotRunning(): void {
  const running = runningCluster();
  if (running) {
    throw new CliError(`a local cluster is already running (pid ${running.pid}, ${endpointOf(running)}); stop it with 'eddy cluster stop'`);
  }
}

/**
 * Spawns the broker detached, its stdout and stderr appended to the log file, and waits for the
 * `{"event":"listening"}` line it prints when ready. On failure the log's last lines explain why.
 */
export async function startBackground(o: StartOptions): Promise<ClusterState> {
  const p = localPaths();
  fs.mkdirSync(p.logDir, { recursive: true });
  fs.mkdirSync(o.dataDir, { recursive: true });
  const logStart = fs.existsSync(p.logFile) ? fs.statSync(p.logFile).size : 0;
  const logFd = fs.openSync(p.logFile, 'a');
  // Filled in by the child's events while we poll (an object so the checks below see updates).
  const childStatus = { exit: null as string | null, error: null as Error | null };
  // glibc keeps what graph worker threads free (an arena per thread, and 1 MB step buffers raise
  // its mmap threshold): 2 arenas and a fixed threshold return it (BENCHMARKS.md, graph memory).
  const child = spawn(process.execPath, [
    ...brokerLaunch().args,
    '--data-dir', o.dataDir,
    '--host', o.host,
    '--port', String(o.port),
    '--metrics-port', String(o.metricsPort),
    // Readiness is read from the log as JSON, whatever the broker would pick for a file.
    '--log-format', 'json',
    ...(o.smTimeBudgetMs !== undefined ? ['--sm-time-budget-ms', String(o.smTimeBudgetMs)] : []),
    ...(o.smMemoryMb !== undefined ? ['--sm-memory-mb', String(o.smMemoryMb)] : []),
    ...(o.metadata !== undefined ? ['--metadata', o.metadata] : []),
  ], { detached: true, stdio: ['ignore', logFd, logFd], env: { MALLOC_ARENA_MAX: '2', MALLOC_MMAP_THRESHOLD_: '131072', ...process.env } });
  fs.closeSync(logFd);
  child.on('exit', (code, signal) => { childStatus.exit = signal ? `killed by ${signal}` : `exit code ${code}`; });
  child.on('error', (err) => { childStatus.error = err; });
  if (child.pid === undefined) {
    await sleep(0);
    throw new CliError(`cannot start the broker: ${childStatus.error?.message ?? 'spawn failed'}`);
  }
  const state: ClusterState = {
    pid: child.pid,
    host: o.host,
    port: o.port,
    metricsPort: o.metricsPort,
    dataDir: o.dataDir,
    logFile: p.logFile,
    foreground: false,
    startedAt: new Date().toISOString(),
  };
  writeState(state);

  const deadline = Date.now() + o.timeoutMs;
  try {
    for (;;) {
      const ready = findListening(readFrom(p.logFile, logStart));
      if (ready) {
        state.port = ready.port;
        if (ready.metricsPort !== undefined) state.metricsPort = ready.metricsPort;
        writeState(state);
        child.unref();
        return state;
      }
      if (childStatus.exit !== null || childStatus.error !== null) {
        const how = childStatus.error?.message ?? childStatus.exit;
        throw new CliError(`the broker failed to start (${how})${lastLines(readFrom(p.logFile, logStart))}`);
      }
      if (Date.now() >= deadline) {
        process.kill(child.pid, 'SIGKILL');
        throw new CliError(`the broker did not start listening within ${o.timeoutMs / 1000}s${lastLines(readFrom(p.logFile, logStart))}`);
      }
      await sleep(50);
    }
  } catch (err) {
    removePidFile();
    throw err;
  }
}

/** Records a broker running inside this process (foreground mode). */
export function recordForeground(s: Omit<ClusterState, 'pid' | 'foreground' | 'startedAt'>): ClusterState {
  const state: ClusterState = { ...s, pid: process.pid, foreground: true, startedAt: new Date().toISOString() };
  writeState(state);
  return state;
}

function readFrom(file: string, offset: number): string {
  try {
    const fd = fs.openSync(file, 'r');
    try {
      const size = fs.fstatSync(fd).size;
      const buf = Buffer.alloc(Math.max(0, size - offset));
      fs.readSync(fd, buf, 0, buf.length, offset);
      return buf.toString('utf8');
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return '';
  }
}

/** The broker's readiness line: one JSON object with event 'listening' and the bound port. */
export function findListening(log: string): { port: number; metricsPort?: number } | null {
  for (const line of log.split('\n')) {
    if (!line.includes('listening')) continue;
    try {
      const o = JSON.parse(line) as { event?: unknown; port?: unknown; metricsPort?: unknown };
      if (o.event === 'listening' && typeof o.port === 'number') {
        return { port: o.port, ...(typeof o.metricsPort === 'number' ? { metricsPort: o.metricsPort } : {}) };
      }
    } catch {
      // not JSON: an ordinary log line
    }
  }
  return null;
}

/** ': <last lines of the log>' joined into one line, for a one-line error. */
function lastLines(log: string, n = 5): string {
  const lines = log.split('\n').map((l) => l.trim()).filter((l) => l !== '').slice(-n).map(describeLogLine);
  return lines.length === 0 ? '' : `: ${lines.join(' | ')}`;
}

/** A pino JSON line shown by its message (and error), anything else as is. */
function describeLogLine(line: string): string {
  try {
    const o = JSON.parse(line) as { msg?: unknown; err?: { message?: unknown } };
    if (typeof o.msg === 'string') return o.err && typeof o.err.message === 'string' ? `${o.msg}: ${o.err.message}` : o.msg;
  } catch {
    // plain text
  }
  return line.length > 300 ? line.slice(0, 300) + '…' : line;
}

/** Guards `cluster delete` against removing something that is not a data directory. */
export function assertDeletable(dir: string): void {
  const resolved = path.resolve(dir);
  const home = localPaths().home;
  const forbidden = new Set([path.parse(resolved).root, path.resolve(process.env.HOME ?? '/'), home, process.cwd()]);
  if (forbidden.has(resolved)) throw new CliError(`refusing to delete '${resolved}': not a cluster data directory`);
}
