// The one broker launcher of every test suite (broker, client, cli, root tests, bench): a real
// broker on loopback in a temp data dir, either in this process (startBroker) or as a child
// process running main.ts the way `eddy cluster start` does. Other packages import it by relative
// path: it is test code and ships in no package.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { startBroker, type Broker, type BrokerOptions } from '../../src/mod.ts';

/** The broker's TypeScript entry point (what a child process runs unless told otherwise). */
export const BROKER_MAIN = new URL('../../src/main.ts', import.meta.url).pathname;

function tempDataDir(): string {
  return mkdtempSync(join(tmpdir(), 'eddy-test-'));
}

/** A port free on 127.0.0.1 right now, for a broker that must come back where clients expect it. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    }).on('error', reject);
  });
}

// ---------------------------------------------------------------------------------------------
// In process

export interface LaunchedBroker {
  readonly dataDir: string;
  readonly port: number;
  /** `127.0.0.1:<port>`, as clients take it. */
  readonly endpoint: string;
  /** The running broker; throws while stopped. */
  readonly broker: Broker;
  /** Clean shutdown, then start again on the same data dir and port (clients see the broker go away). */
  restart(): Promise<void>;
  /** Stops the broker and keeps the data. */
  stop(): Promise<void>;
  /** Stops the broker and removes the data dir if the launcher made it. */
  close(): Promise<void>;
}

/**
 * Starts a broker in this process: 127.0.0.1, an ephemeral port, no metrics endpoint, silent
 * logs, a fresh temp data dir, and no periodic retention (a test that wants it sets
 * `retentionCheckMs`). Any BrokerOptions field overrides these.
 */
export async function launchBroker(opts: Partial<BrokerOptions> = {}): Promise<LaunchedBroker> {
  const ownDir = opts.dataDir === undefined;
  const dataDir = opts.dataDir ?? tempDataDir();
  const start = (port: number): Promise<Broker> => startBroker({
    host: '127.0.0.1', metricsPort: -1, logger: { level: 'silent' }, retentionCheckMs: 0, ...opts, dataDir, port,
  });
  let current: Broker | null = await start(opts.port ?? 0);
  const port = current.port;
  const stop = async (): Promise<void> => {
    const b = current;
    current = null;
    await b?.close();
  };
  return {
    dataDir,
    port,
    endpoint: `127.0.0.1:${port}`,
    get broker(): Broker {
      if (current === null) throw new Error('the test broker is stopped');
      return current;
    },
    async restart() {
      await stop();
      current = await start(port);
    },
    stop,
    async close() {
      await stop();
      if (ownDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Child process

export interface SpawnOptions {
  /**
   * Node arguments that run the broker's main (default: the TypeScript sources). Root tests pass
   * the CLI's `brokerLaunch().args` to run what users run (the bundle when it is current).
   */
  entry?: string[];
  /** Adds --data-dir. */
  dataDir?: string;
  /** Default 0 (ephemeral; the port is read from the broker's "listening" line). */
  port?: number;
  /** Adds --log-file. */
  logFile?: string;
  /** More broker flags. */
  args?: string[];
  /**
   * Both stdout and stderr append to this file (as the CLI starts a background broker); the port
   * is then read from the file.
   */
  sharedLog?: string;
  /** A command the broker runs under, e.g. ['prlimit', '--nofile=256:256'] (it gets node and its arguments). */
  wrap?: string[];
  /** 'pipe' (default) keeps stderr for the error when the broker dies before listening. */
  stderr?: 'pipe' | 'inherit';
}

export interface BrokerProcess {
  proc: ChildProcess;
  port: number;
  endpoint: string;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  /** SIGTERM and wait for the exit code. */
  stop(): Promise<number | null>;
  /** Sends `signal` (SIGKILL: a crash) and waits for the exit. */
  kill(signal?: NodeJS.Signals): Promise<number | null>;
}

interface ListeningLine { event?: string; port?: number }

/** Starts the broker as a child process (--metrics-port -1); resolves once it listens. */
export async function spawnBroker(opts: SpawnOptions = {}): Promise<BrokerProcess> {
  const argv = [...(opts.entry ?? [BROKER_MAIN]), '--port', String(opts.port ?? 0), '--metrics-port', '-1'];
  if (opts.dataDir !== undefined) argv.push('--data-dir', opts.dataDir);
  if (opts.logFile !== undefined) argv.push('--log-file', opts.logFile);
  argv.push(...(opts.args ?? []));
  let proc: ChildProcess;
  let stderr = '';
  if (opts.sharedLog !== undefined) {
    const fd = openSync(opts.sharedLog, 'a');
    proc = spawn(process.execPath, argv, { stdio: ['ignore', fd, fd] });
    closeSync(fd);
  } else {
    const [cmd, ...args] = [...(opts.wrap ?? []), process.execPath, ...argv];
    proc = spawn(cmd, args, { stdio: ['ignore', 'pipe', opts.stderr ?? 'pipe'] });
    proc.stderr?.on('data', (d: Buffer) => { stderr += d.toString(); });
  }
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  const port = await new Promise<number>((resolve, reject) => {
    const seen = (line: string): boolean => {
      try {
        const ev = JSON.parse(line) as ListeningLine;
        if (ev.event === 'listening' && typeof ev.port === 'number') { resolve(ev.port); return true; }
      } catch { /* not JSON */ }
      return false;
    };
    let poll: NodeJS.Timeout | null = null;
    if (opts.sharedLog !== undefined) {
      const file = opts.sharedLog;
      poll = setInterval(() => {
        const text = readFileSync(file, 'utf8');
        if (text.split('\n').some(seen) && poll) clearInterval(poll);
      }, 20);
    } else {
      createInterface({ input: proc.stdout! }).on('line', seen);
    }
    void exited.then((code) => {
      if (poll) clearInterval(poll);
      reject(new Error(`broker exited (${code}) before listening: ${stderr}`));
    });
  });
  const kill = async (signal: NodeJS.Signals = 'SIGKILL'): Promise<number | null> => {
    proc.kill(signal);
    return await exited;
  };
  return { proc, port, endpoint: `127.0.0.1:${port}`, exited, stop: () => kill('SIGTERM'), kill };
}
