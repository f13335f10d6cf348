// Root tests' scaffolding: the broker as a real process on a fixed loopback port, so a test can
// kill it (-9) and start it again where clients expect it. It runs the way `eddy cluster start`
// runs it: the bundle from `npm run build:dist` (which `npm ci` runs) when that is current, so
// these tests cover what users run, else the TypeScript sources.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { brokerLaunch } from '../packages/cli/src/cluster/local_cluster.ts';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    }).on('error', reject);
  });
}

/** Starts the broker on `port` with its log in `<dataDir>/broker.log`; resolves once it listens. */
export async function spawnBroker(dataDir: string, port: number, extraArgs: string[] = []): Promise<ChildProcess> {
  const proc = spawn(process.execPath, [...brokerLaunch().args, '--data-dir', dataDir, '--port', String(port), '--metrics-port', '-1',
    '--log-file', join(dataDir, 'broker.log'), ...extraArgs], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    createInterface({ input: proc.stdout! }).on('line', (line) => {
      if (line.includes('"listening"')) resolve();
    });
    proc.once('exit', (code) => reject(new Error(`broker exited (${code}) before listening`)));
  });
  return proc;
}
