// MQTT brokers for the tests: Debian's Mosquitto (a child process on an ephemeral port, a temp
// config listening on 127.0.0.1 only) and aedes (in this process).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Aedes } from 'aedes';
import { freePort } from '../../../broker/test/support/launcher.ts';

export interface MqttBroker {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

export const MOSQUITTO = process.env.MOSQUITTO_BIN ?? '/usr/sbin/mosquitto';

async function waitForPort(port: number, child: ChildProcess, log: () => string): Promise<void> {
  const end = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`mosquitto exited ${child.exitCode}: ${log()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = createConnection({ host: '127.0.0.1', port }, () => { s.destroy(); resolve(true); });
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > end) throw new Error(`mosquitto did not listen on ${port}: ${log()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface TlsBroker extends MqttBroker {
  /** The CA that signed the broker's certificate (PEM file). */
  readonly caFile: string;
}

/** Starts Mosquitto; `extra` lines go into its config (e.g. 'max_inflight_messages 100'). */
export async function startMosquitto(extra: string[] = []): Promise<MqttBroker> {
  return await mosquittoIn(mkdtempSync(join(tmpdir(), 'eddy-mosquitto-')), 'mqtt', extra);
}

/** Starts Mosquitto with TLS only (mqtts), its certificate from a CA made here with openssl. */
export async function startMosquittoTls(): Promise<TlsBroker> {
  const dir = mkdtempSync(join(tmpdir(), 'eddy-mosquitto-tls-'));
  const f = (n: string): string => join(dir, n);
  const ssl = (...args: string[]): void => { execFileSync('openssl', args, { stdio: 'ignore' }); };
  ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=eddy-test-ca', '-keyout', f('ca.key'), '-out', f('ca.pem'));
  ssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-keyout', f('server.key'), '-out', f('server.csr'));
  writeFileSync(f('san.ext'), 'subjectAltName=IP:127.0.0.1\n');
  ssl('x509', '-req', '-in', f('server.csr'), '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-CAcreateserial', '-days', '2', '-extfile', f('san.ext'), '-out', f('server.pem'));
  // Mosquitto started as root reads certificates after switching to its own user.
  chmodSync(dir, 0o755);
  for (const n of ['ca.pem', 'server.pem', 'server.key']) chmodSync(f(n), 0o644);
  const b = await mosquittoIn(dir, 'mqtts', [`cafile ${f('ca.pem')}`, `certfile ${f('server.pem')}`, `keyfile ${f('server.key')}`]);
  return { ...b, caFile: f('ca.pem') };
}

async function mosquittoIn(dir: string, scheme: 'mqtt' | 'mqtts', extra: string[]): Promise<MqttBroker> {
  const port = await freePort();
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(conf, [`listener ${port} 127.0.0.1`, 'allow_anonymous true', 'persistence false', 'log_dest stderr', 'log_type error', ...extra, ''].join('\n'));
  const child = spawn(MOSQUITTO, ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr!.on('data', (d: Buffer) => { log += d.toString(); });
  await waitForPort(port, child, () => log);
  return {
    url: `${scheme}://127.0.0.1:${port}`,
    port,
    async close() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface AedesBroker extends MqttBroker {
  readonly aedes: Aedes;
}

/** Starts aedes (MQTT 3.1.1) on an ephemeral port in this process. */
export async function startAedes(): Promise<AedesBroker> {
  const aedes = await Aedes.createBroker();
  const server: Server = createServer(aedes.handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    aedes,
    url: `mqtt://127.0.0.1:${port}`,
    port,
    async close() {
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
