import fs from 'node:fs';
import path from 'node:path';
import net from 'node:net';
import { spawn, spawnSync } from 'node:child_process';
import { CliError } from '../errors.ts';
import { localPaths } from '../home.ts';
import { isAlive, sleep } from './process_state.ts';

/** What `eddy cluster start --metadata etcd` recorded about the etcd it started ($EDDY_HOME/etcd.json). */
interface EtcdState {
  pid: number;
  clientPort: number;
  peerPort: number;
}

export const ETCD_INSTALL_HINT = "etcd is not installed: install it (Debian/Ubuntu: 'apt-get install etcd-server'; macOS: 'brew install etcd') or pass --metadata etcd://HOST:PORT";

function paths(): { state: string; dataDir: string; logFile: string } {
  const p = localPaths();
  return { state: path.join(p.home, 'etcd.json'), dataDir: path.join(p.home, 'etcd'), logFile: path.join(p.logDir, 'etcd.log') };
}

function readState(): EtcdState | null {
  try {
    return JSON.parse(fs.readFileSync(paths().state, 'utf8')) as EtcdState;
  } catch {
    return null;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    }).on('error', reject);
  });
}

async function healthy(clientPort: number): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${clientPort}/health`, { signal: AbortSignal.timeout(1000) });
    return res.ok && ((await res.json()) as { health?: string }).health === 'true';
  } catch {
    return false;
  }
}

/**
 * The local etcd for `--metadata etcd`: the one started before if it still runs, else a new
 * `etcd` process (detached, on loopback, data under $EDDY_HOME/etcd, log in $EDDY_HOME/logs,
 * the ports of its first start kept). Returns the broker's `--metadata` value.
 */
export async function ensureLocalEtcd(timeoutMs: number): Promise<string> {
  const existing = readState();
  if (existing && isAlive(existing.pid) && (await healthy(existing.clientPort))) return `etcd://127.0.0.1:${existing.clientPort}`;
  if (spawnSync('etcd', ['--version'], { stdio: 'ignore' }).status !== 0) throw new CliError(ETCD_INSTALL_HINT);
  const p = paths();
  fs.mkdirSync(path.dirname(p.logFile), { recursive: true });
  const clientPort = existing?.clientPort ?? await freePort();
  const peerPort = existing?.peerPort ?? await freePort();
  const client = `http://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  const logFd = fs.openSync(p.logFile, 'a');
  const child = spawn('etcd', [
    '--name', 'eddy', '--data-dir', p.dataDir,
    '--listen-client-urls', client, '--advertise-client-urls', client,
    '--listen-peer-urls', peer, '--initial-advertise-peer-urls', peer, '--initial-cluster', `eddy=${peer}`,
  ], { detached: true, stdio: ['ignore', logFd, logFd] });
  fs.closeSync(logFd);
  let exit: string | null = null;
  child.on('exit', (code, signal) => { exit = signal ? `killed by ${signal}` : `exit code ${code}`; });
  child.on('error', (err) => { exit = err.message; });
  if (child.pid === undefined) {
    await sleep(0);
    throw new CliError(`cannot start etcd: ${exit ?? 'spawn failed'}`);
  }
  fs.writeFileSync(p.state, `${JSON.stringify({ pid: child.pid, clientPort, peerPort } satisfies EtcdState)}\n`);
  const deadline = Date.now() + timeoutMs;
  while (!(await healthy(clientPort))) {
    if (exit !== null) throw new CliError(`etcd failed to start (${exit}); see ${p.logFile}`);
    if (Date.now() >= deadline) {
      child.kill('SIGKILL');
      throw new CliError(`etcd did not become healthy within ${timeoutMs / 1000}s; see ${p.logFile}`);
    }
    await sleep(100);
  }
  child.unref();
  return `etcd://127.0.0.1:${clientPort}`;
}

/** Stops the local etcd if one runs (after the broker: it keeps the metadata); returns its pid, or null if none ran. */
export async function stopLocalEtcd(): Promise<number | null> {
  const s = readState();
  if (!s || !isAlive(s.pid)) return null;
  try { process.kill(s.pid, 'SIGTERM'); } catch { return null; }
  for (let i = 0; i < 100 && isAlive(s.pid); i++) await sleep(50);
  return s.pid;
}
