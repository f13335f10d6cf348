// Child processes the peers benchmark starts (brokers and peer servers). Every one is registered
// so that an error, Ctrl-C or a normal exit stops all of them, and their temp dirs are removed.
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createServer } from 'node:net';

export class StartError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StartError';
  }
}

export interface Started {
  readonly name: string;
  readonly pid: number;
  readonly child: ChildProcess;
  /** Everything it printed so far (stdout + stderr), for error messages. */
  output(): string;
  /** SIGTERM, then SIGKILL after a grace period; resolves when it has exited. */
  stop(): Promise<void>;
}

const running = new Set<Started>();
const tempDirs = new Set<string>();
/** Synchronous stops of servers that are not our children (PostgreSQL daemonizes via pg_ctl). */
const cleanups = new Set<() => void>();
let hooked = false;
/** Set once shutting down: nothing new may start (a run in progress would otherwise go on). */
let shuttingDown = false;

function hookExit(): void {
  if (hooked) return;
  hooked = true;
  // Synchronous last resort: on exit only sync work runs, so SIGKILL whatever is left.
  process.on('exit', () => {
    for (const s of running) {
      try { process.kill(s.pid, 'SIGKILL'); } catch { /* already gone */ }
    }
    runCleanups();
    for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
  });
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      process.stderr.write(`\n${sig}: stopping everything the benchmark started\n`);
      void stopAll().finally(() => process.exit(130));
    });
  }
}

/** A temp dir removed by stopAll() / at exit. */
export function trackTempDir(dir: string): string {
  hookExit();
  tempDirs.add(dir);
  return dir;
}

/** Registers a synchronous stop run by stopAll() / at exit; call the returned function once stopped. */
export function trackCleanup(fn: () => void): () => void {
  hookExit();
  cleanups.add(fn);
  return () => { cleanups.delete(fn); };
}

function runCleanups(): void {
  for (const fn of cleanups) {
    try { fn(); } catch { /* best effort on the way out */ }
  }
  cleanups.clear();
}

export async function stopAll(): Promise<void> {
  shuttingDown = true;
  await Promise.all([...running].map((s) => s.stop()));
  runCleanups();
  for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
  tempDirs.clear();
}

export interface StartOptions {
  /** Resolves once a line of output matches; the match is returned by start(). */
  ready: RegExp;
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/** Starts `cmd args` and waits for `ready` to match its output. */
export async function startProcess(name: string, cmd: string, args: string[], opts: StartOptions): Promise<{ started: Started; match: RegExpExecArray }> {
  hookExit();
  if (shuttingDown) throw new StartError(`${name}: not started, the benchmark is stopping`);
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: opts.env ?? process.env, cwd: opts.cwd });
  let out = '';
  let exited = false;
  const exitPromise = new Promise<void>((resolve) => child.once('exit', () => { exited = true; resolve(); }));
  const started: Started = {
    name,
    pid: child.pid ?? -1,
    child,
    output: () => out,
    stop: async () => {
      running.delete(started);
      if (exited) return;
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exitPromise;
      clearTimeout(t);
    },
  };
  running.add(started);
  const match = await new Promise<RegExpExecArray>((resolve, reject) => {
    const timer = setTimeout(() => fail(new StartError(`${name} did not become ready in ${opts.timeoutMs ?? 15000} ms; output:\n${out.slice(-2000)}`)), opts.timeoutMs ?? 15000);
    const onData = (chunk: Buffer): void => {
      // Keep only a bounded tail: a chatty server must not grow our heap during a long run.
      out = (out + chunk.toString('utf8')).slice(-64 * 1024);
      const m = opts.ready.exec(out);
      if (m) { clearTimeout(timer); resolve(m); }
    };
    const fail = (err: Error): void => {
      clearTimeout(timer);
      void started.stop();
      reject(err);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('error', (err) => fail(new StartError(`${name}: cannot start ${cmd}: ${err.message}`)));
    child.once('exit', (code, sig) => fail(new StartError(`${name} exited (${sig ?? code}) before it was ready; output:\n${out.slice(-2000)}`)));
  });
  return { started, match };
}

/** A port that was free a moment ago on 127.0.0.1 (for servers that cannot take port 0). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}
