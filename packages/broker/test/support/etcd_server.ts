// A real etcd server (Debian's etcd-server) for tests: loopback client and peer URLs on free
// ports, data in a temp dir, removed on stop.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './launcher.ts';

export interface EtcdServer {
  /** `127.0.0.1:<port>` of the client URL. */
  readonly endpoint: string;
  readonly proc: ChildProcess;
  stop(): Promise<void>;
}


/** Starts etcd and resolves once it answers its health endpoint. */
export async function startEtcd(): Promise<EtcdServer> {
  const dir = mkdtempSync(join(tmpdir(), 'eddy-etcd-'));
  const clientPort = await freePort();
  const peerPort = await freePort();
  const client = `http://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  const proc = spawn('etcd', [
    '--name', 'test', '--data-dir', join(dir, 'data'),
    '--listen-client-urls', client, '--advertise-client-urls', client,
    '--listen-peer-urls', peer, '--initial-advertise-peer-urls', peer,
    '--initial-cluster', `test=${peer}`, '--initial-cluster-state', 'new',
    '--log-level', 'error',
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (proc.exitCode !== null) {
      await stop();
      throw new Error(`etcd exited before it was ready: ${stderr}`);
    }
    try {
      const res = await fetch(`${client}/health`);
      if (res.ok && ((await res.json()) as { health?: string }).health === 'true') break;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`etcd did not become healthy within 20 s: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { endpoint: `127.0.0.1:${clientPort}`, proc, stop };
}
