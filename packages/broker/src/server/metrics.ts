import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { SpuObserver } from '../spu/index.ts';

export interface PartitionFigures {
  topic: string;
  partition: number;
  sizeBytes: number;
  highWatermark: number;
  logStartOffset: number;
}

interface TopicCounters {
  bytesIn: Counter.Internal;
  recordsIn: Counter.Internal;
  bytesOut: Counter.Internal;
  recordsOut: Counter.Internal;
}

/**
 * The broker's Prometheus metrics, in a registry of its own (so several brokers can live in one
 * process). Traffic counters are bumped once per partition per request, never per record;
 * partition figures are read from the logs when scraped.
 */
export class BrokerMetrics implements SpuObserver {
  readonly registry = new Registry();
  private bytesIn: Counter<'topic'>;
  private recordsIn: Counter<'topic'>;
  private bytesOut: Counter<'topic'>;
  private recordsOut: Counter<'topic'>;
  private requestDuration: Histogram<'api'>;
  private connections: Gauge;
  private connectionsTotal: Counter;
  private streams: Gauge;
  private protocolErrors: Counter;
  private perTopic = new Map<string, TopicCounters>();
  private durationByApi = new Map<string, Histogram.Internal<'api'>>();

  constructor(partitions: () => Iterable<PartitionFigures>) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.bytesIn = new Counter({ name: 'eddy_bytes_in_total', help: 'Record batch bytes produced, per topic', labelNames: ['topic'], registers });
    this.recordsIn = new Counter({ name: 'eddy_records_in_total', help: 'Records produced (counted from batch headers), per topic', labelNames: ['topic'], registers });
    this.bytesOut = new Counter({ name: 'eddy_bytes_out_total', help: 'Record batch bytes sent to consumers, per topic', labelNames: ['topic'], registers });
    this.recordsOut = new Counter({ name: 'eddy_records_out_total', help: 'Records sent to consumers (counted from batch headers), per topic', labelNames: ['topic'], registers });
    this.requestDuration = new Histogram({
      name: 'eddy_request_duration_seconds',
      help: 'Time from a request frame to its response, per API (streams: to the stream opening)',
      labelNames: ['api'],
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
    this.connections = new Gauge({ name: 'eddy_connections', help: 'Open client connections', registers });
    this.connectionsTotal = new Counter({ name: 'eddy_connections_total', help: 'Client connections accepted', registers });
    this.streams = new Gauge({ name: 'eddy_stream_fetches', help: 'Open streaming fetches', registers });
    this.protocolErrors = new Counter({ name: 'eddy_protocol_errors_total', help: 'Connections closed for malformed input', registers });
    // Filled when scraped; reset first so deleted partitions disappear.
    const partitionGauge = (name: string, help: string, pick: (p: PartitionFigures) => number): void => {
      new Gauge({
        name, help, labelNames: ['topic', 'partition'], registers,
        collect(this: Gauge<'topic' | 'partition'>) {
          this.reset();
          for (const p of partitions()) this.set({ topic: p.topic, partition: String(p.partition) }, pick(p));
        },
      });
    };
    partitionGauge('eddy_partition_size_bytes', 'Bytes stored per partition', (p) => p.sizeBytes);
    partitionGauge('eddy_partition_high_watermark', 'High watermark per partition', (p) => p.highWatermark);
    partitionGauge('eddy_partition_log_start_offset', 'Log start offset per partition', (p) => p.logStartOffset);
  }

  produced(topic: string, _partition: number, bytes: number, records: number): void {
    const c = this.topic(topic);
    c.bytesIn.inc(bytes);
    c.recordsIn.inc(records);
  }

  fetched(topic: string, _partition: number, bytes: number, records: number): void {
    const c = this.topic(topic);
    c.bytesOut.inc(bytes);
    c.recordsOut.inc(records);
  }

  observeRequest(api: string, seconds: number): void {
    let h = this.durationByApi.get(api);
    if (!h) { h = this.requestDuration.labels(api); this.durationByApi.set(api, h); }
    h.observe(seconds);
  }

  connectionOpened(): void { this.connections.inc(); this.connectionsTotal.inc(); }
  connectionClosed(): void { this.connections.dec(); }
  streamOpened(): void { this.streams.inc(); }
  streamClosed(): void { this.streams.dec(); }
  protocolError(): void { this.protocolErrors.inc(); }

  /** Drops a deleted topic's series. */
  forgetTopic(topic: string): void {
    if (!this.perTopic.delete(topic)) return;
    for (const c of [this.bytesIn, this.recordsIn, this.bytesOut, this.recordsOut]) c.remove(topic);
  }

  private topic(topic: string): TopicCounters {
    let c = this.perTopic.get(topic);
    if (!c) {
      c = {
        bytesIn: this.bytesIn.labels(topic),
        recordsIn: this.recordsIn.labels(topic),
        bytesOut: this.bytesOut.labels(topic),
        recordsOut: this.recordsOut.labels(topic),
      };
      this.perTopic.set(topic, c);
    }
    return c;
  }
}

/** Serves `GET /metrics` from `registry`; everything else is 404. Resolves with the bound port. */
export async function startMetricsServer(registry: Registry, host: string, port: number): Promise<{ server: Server; port: number }> {
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
