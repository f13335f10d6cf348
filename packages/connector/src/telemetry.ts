import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { Logger } from 'pino';
import { Counter, Gauge, Registry } from 'prom-client';

export interface LoggerOptions {
  /** pino level; default 'info'. */
  level?: string;
  /** Default stdout (fd 1). */
  fd?: number;
}

/** The connector's pino logger: JSON lines, synchronous (a crash must not lose the last line). */
export function createConnectorLogger(name: string, opts: LoggerOptions = {}): Logger {
  const { pino } = createRequire(import.meta.url)('pino') as typeof import('pino');
  return pino({ level: opts.level ?? 'info', base: { connector: name, pid: process.pid } }, pino.destination({ dest: opts.fd ?? 1, sync: true }));
}

/**
 * The connector's Prometheus metrics. Counters are bumped by whole batches, never per record
 * object, so the hot path only adds numbers.
 */
export class ConnectorMetrics {
  readonly registry = new Registry();
  readonly recordsIn: Counter;
  readonly recordsOut: Counter;
  readonly errors: Counter;
  readonly lag: Gauge;
  /** Plain numbers mirrored for the liveness line (reading prom-client values is async). */
  in = 0;
  out = 0;
  errorCount = 0;
  lagValue = 0;

  constructor(name: string, direction: 'source' | 'sink') {
    this.registry.setDefaultLabels({ connector: name, direction });
    this.recordsIn = new Counter({ name: 'eddy_connector_records_in_total', help: 'Records received (from the outside system for a source, from the topic for a sink)', registers: [this.registry] });
    this.recordsOut = new Counter({ name: 'eddy_connector_records_out_total', help: 'Records delivered (acknowledged by the cluster for a source, accepted by the outside system for a sink)', registers: [this.registry] });
    this.errors = new Counter({ name: 'eddy_connector_errors_total', help: 'Errors (each failed attempt counts)', registers: [this.registry] });
    this.lag = new Gauge({ name: 'eddy_connector_lag_records', help: 'Sink: records in the topic not yet written. Source: records sent but not yet acknowledged', registers: [this.registry] });
  }

  addIn(n: number): void { this.in += n; this.recordsIn.inc(n); }
  addOut(n: number): void { this.out += n; this.recordsOut.inc(n); }
  addError(): void { this.errorCount++; this.errors.inc(); }
  setLag(n: number): void { this.lagValue = n; this.lag.set(n); }

  /** The liveness line's fields. */
  snapshot(): { recordsIn: number; recordsOut: number; errors: number; lag: number } {
    return { recordsIn: this.in, recordsOut: this.out, errors: this.errorCount, lag: this.lagValue };
  }
}

/** Serves `/metrics` on 127.0.0.1 (or `host`); port 0 picks a free one. Resolves with the port. */
export function serveMetrics(metrics: ConnectorMetrics, port: number, host = '127.0.0.1'): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    if (req.url !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    metrics.registry.metrics().then((text) => {
      res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text);
    }, (err: Error) => {
      res.writeHead(500).end(err.message);
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      server.unref();
      resolve({ server, port: (server.address() as { port: number }).port });
    });
  });
}
