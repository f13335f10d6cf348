// The `/metrics` HTTP endpoint. Its own module, imported only by brokers that serve metrics:
// node:http is a large part of a Node process's memory and an idle broker without metrics
// should not pay for it.
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MetricsRegistry } from './metrics.ts';

/** Serves `GET /metrics` from `registry`; everything else is 404. Resolves with the bound port. */
export async function startMetricsServer(registry: MetricsRegistry, host: string, port: number): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (req.method !== 'GET' || path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try GET /metrics\n');
      return;
    }
    registry.metrics().then(
      (text) => { res.writeHead(200, { 'content-type': registry.contentType }).end(text); },
      (err: Error) => { res.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics failed: ${err.message}\n`); },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => { server.off('error', reject); resolve(); });
  });
  return { server, port: (server.address() as AddressInfo).port };
}
