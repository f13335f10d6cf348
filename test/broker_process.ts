// Root tests' scaffolding: the broker as a real process (main.ts) on a fixed loopback port, so a
// test can kill it (-9) and start it again where clients expect it.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const MAIN = new URL('../packages/broker/src/main.ts', import.meta.url).pathname;

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    }).on('error', reject);
  });
}

/** Starts main.ts on `port` with its log in `<dataDir>/broker.log`; resolves once it listens. */
export async function spawnBroker(dataDir: string, port: number, extraArgs: string[] = []): Promise<ChildProcess> {
  const proc = spawn(process.execPath, [MAIN, '--data-dir', dataDir, '--port', String(port), '--metrics-port', '-1',
    '--log-file', join(dataDir, 'broker.log'), ...extraArgs], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    createInterface({ input: proc.stdout! }).on('line', (line) => {
      if (line.includes('"listening"')) resolve();
    });
    proc.once('exit', (code) => reject(new Error(`broker exited (${code}) before listening`)));
  });
  return proc;
}
