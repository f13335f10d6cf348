// Runs Debian's docker-registry (distribution 2.8), unmodified, with a config written to a temp
// file: filesystem storage in `storageDir`, 127.0.0.1 on a free port, and optionally the standard
// token authentication pointing at Eddy's token service.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { stringify as stringifyYaml } from 'yaml';
import { HubError } from './hub_error.ts';

export interface TokenAuthConfig {
  realm: string;
  service: string;
  issuer: string;
  rootcertbundle: string;
}

export interface RegistryOptions {
  storageDir: string;
  /** Default: a free port. */
  port?: number;
  auth?: TokenAuthConfig;
  /** Default: $EDDY_REGISTRY_BIN or docker-registry on PATH. */
  binary?: string;
}

export interface RunningRegistry {
  url: string;
  port: number;
  process: ChildProcess;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

export async function startRegistry(o: RegistryOptions): Promise<RunningRegistry> {
  const port = o.port ?? (await freePort());
  fs.mkdirSync(o.storageDir, { recursive: true });
  const config: Record<string, unknown> = {
    version: 0.1,
    log: { level: 'error', accesslog: { disabled: true } },
    storage: { filesystem: { rootdirectory: path.resolve(o.storageDir) }, delete: { enabled: true } },
    http: { addr: `127.0.0.1:${port}`, secret: 'eddy-local-hub' },
  };
  if (o.auth) config.auth = { token: { ...o.auth, autoredirect: false } };
  const configFile = path.join(o.storageDir, 'registry-config.yml');
  fs.writeFileSync(configFile, stringifyYaml(config));
  const binary = o.binary ?? process.env.EDDY_REGISTRY_BIN ?? 'docker-registry';
  const child = spawn(binary, ['serve', configFile], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-2000); });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const spawnError = new Promise<never>((_, reject) => child.once('error', (err) => {
    reject(new HubError(`cannot run ${binary}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'not installed (apt-get install docker-registry)' : err.message}`));
  }));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new HubError(`docker-registry exited at start: ${stderr.trim().split('\n').pop() ?? ''}`);
    try {
      const res = await Promise.race([fetch(`${url}/v2/`), spawnError]);
      await res.body?.cancel();
      if (res.status === 200 || res.status === 401) break;
    } catch (err) {
      if (err instanceof HubError) throw err;
    }
    if (Date.now() > deadline) {
      await stop();
      throw new HubError(`docker-registry did not answer on ${url} within 15 s`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { url, port, process: child, stop };
}
