// The broker's Prometheus metrics. The hot paths bump plain numbers here (a property increment per
// partition per request, never per record); prom-client (prometheus.ts) is loaded only when the
// metrics are read (a broker with a metrics port does so at start) and copies those numbers into
// its counters and gauges when scraped. A broker without a metrics port never loads prom-client
// (nor what it pulls in: several MB of RSS).
import type { SpuObserver } from '../spu/index.ts';
import type { PrometheusMetrics } from './prometheus.ts';
import type { MetricsSource, PartitionFigures, TopicCounters } from './metrics_source.ts';

export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** What the metrics endpoint and tests read (prom-client's Registry, loaded on first use). */
export interface MetricsRegistry {
  readonly contentType: string;
  /** The whole exposition. */
  metrics(): Promise<string>;
  /** One metric family's exposition ('' when unknown). */
  getSingleMetricAsString(name: string): Promise<string>;
}

/** Records one request duration per api (a prom-client histogram child, once loaded). */
type DurationSink = (api: string, seconds: number) => void;

/**
 * The broker's metrics, one instance per broker (several may live in one process, each with a
 * registry of its own). Partition figures are read from the logs when scraped.
 */
export class BrokerMetrics implements SpuObserver, MetricsSource {
  readonly registry: MetricsRegistry;
  readonly perTopic = new Map<string, TopicCounters>();
  connections = 0;
  connectionsTotal = 0;
  streams = 0;
  protocolErrors = 0;
  readonly partitions: () => Iterable<PartitionFigures>;
  private prometheus: Promise<PrometheusMetrics> | null = null;
  /** Null until prom-client is loaded: durations are recorded from then on. */
  private durationSink: DurationSink | null = null;

  constructor(partitions: () => Iterable<PartitionFigures>) {
    this.partitions = partitions;
    this.registry = {
      contentType: METRICS_CONTENT_TYPE,
      metrics: async () => (await this.enable()).registry.metrics(),
      getSingleMetricAsString: async (name) => {
        const { registry } = await this.enable();
        return registry.getSingleMetric(name) ? await registry.getSingleMetricAsString(name) : '';
      },
    };
  }

  /**
   * Loads prom-client and registers the metrics (and its default process metrics) in a registry
   * of this broker's own. Brokers that serve metrics call this at start; otherwise the first read
   * of `registry` does. Idempotent.
   */
  enable(): Promise<PrometheusMetrics> {
    this.prometheus ??= import('./prometheus.ts').then(({ createPrometheusMetrics }) => {
      const p = createPrometheusMetrics(this);
      this.durationSink = p.observeRequest;
      return p;
    });
    return this.prometheus;
  }

  produced(topic: string, _partition: number, bytes: number, records: number): void {
    const c = this.topic(topic);
    c.bytesIn += bytes;
    c.recordsIn += records;
  }

  fetched(topic: string, _partition: number, bytes: number, records: number): void {
    const c = this.topic(topic);
    c.bytesOut += bytes;
    c.recordsOut += records;
  }

  observeRequest(api: string, seconds: number): void {
    this.durationSink?.(api, seconds);
  }

  connectionOpened(): void { this.connections++; this.connectionsTotal++; }
  connectionClosed(): void { this.connections--; }
  streamOpened(): void { this.streams++; }
  streamClosed(): void { this.streams--; }
  protocolError(): void { this.protocolErrors++; }

  /** Drops a deleted topic's series. */
  forgetTopic(topic: string): void {
    this.perTopic.delete(topic);
  }

  private topic(topic: string): TopicCounters {
    let c = this.perTopic.get(topic);
    if (c === undefined) {
      c = { bytesIn: 0, recordsIn: 0, bytesOut: 0, recordsOut: 0 };
      this.perTopic.set(topic, c);
    }
    return c;
  }
}
