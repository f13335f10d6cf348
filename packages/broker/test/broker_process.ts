// Test scaffolding: main.ts as a real broker process (the way `eddy cluster start` runs it).
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

export const MAIN = new URL('../src/main.ts', import.meta.url).pathname;

export interface BrokerProcess {
  proc: ChildProcess;
  port: number;
  exited: Promise<number | null>;
  /** SIGTERM and wait for the exit code. */
  stop(): Promise<number | null>;
}

interface ListeningLine { event?: string; port?: number }

/**
 * Starts main.ts with `args` (plus --port 0). Default: stdout piped, and the broker's own
 * "listening" line on it gives the port. With `sharedLog`, stdout and stderr both append to that
 * file (as the CLI starts a background broker) and the port comes from the log.
 */
export async function spawnBroker(args: string[], opts: { sharedLog?: string } = {}): Promise<BrokerProcess> {
  const argv = [MAIN, '--port', '0', '--metrics-port', '-1', ...args];
  let proc: ChildProcess;
  let stderr = '';
  if (opts.sharedLog !== undefined) {
    const fd = openSync(opts.sharedLog, 'a');
    proc = spawn(process.execPath, argv, { stdio: ['ignore', fd, fd] });
    closeSync(fd);
  } else {
    proc = spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    proc.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
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
  return {
    proc,
    port,
    exited,
    stop: async () => {
      proc.kill('SIGTERM');
      return await exited;
    },
  };
}
