// A TCP proxy that can hold back what the server sends: with it between a connector and the
// Eddy broker, produce requests arrive but their acknowledgements do not (until resumed).
import { createConnection, createServer, type Server, type Socket } from 'node:net';

export interface PausableProxy {
  readonly endpoint: string;
  /** Stop forwarding server → client (bytes wait in the proxy). */
  pause(): void;
  resume(): void;
  close(): Promise<void>;
}

export async function startProxy(targetHost: string, targetPort: number): Promise<PausableProxy> {
  let paused = false;
  const upstreams = new Set<Socket>();
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const up = createConnection({ host: targetHost, port: targetPort });
    upstreams.add(up);
    sockets.add(client).add(up);
    if (paused) up.pause();
    client.pipe(up);
    up.pipe(client);
    const end = (): void => { client.destroy(); up.destroy(); upstreams.delete(up); };
    client.on('error', end).on('close', end);
    up.on('error', end).on('close', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    endpoint: `127.0.0.1:${port}`,
    pause() { paused = true; for (const u of upstreams) u.pause(); },
    resume() { paused = false; for (const u of upstreams) u.resume(); },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
