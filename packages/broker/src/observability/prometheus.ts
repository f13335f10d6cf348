// The broker's metrics in prom-client: a registry per broker, prom-client's default process and
// Node.js metrics, and the broker's own families. Imported (and prom-client loaded) only by
// BrokerMetrics.enable(). Counters and gauges are not bumped on the hot paths: each has a
// collect() that copies BrokerMetrics' plain numbers in when scraped. The request-duration
// histogram is observed per request (not per record) through a cached child per api.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { MetricsSource, PartitionFigures, TopicCounters } from './metrics_source.ts';

export interface PrometheusMetrics {
  registry: Registry;
  observeRequest(api: string, seconds: number): void;
}

/** Upper bounds (seconds) of the request duration buckets. */
const DURATION_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

export function createPrometheusMetrics(src: MetricsSource): PrometheusMetrics {
  const registry = new Registry();
  const registers = [registry];
  collectDefaultMetrics({ register: registry });

  const topicCounter = (name: string, help: string, pick: (c: Readonly<TopicCounters>) => number): void => {
    new Counter({
      name, help, labelNames: ['topic'], registers,
      collect(this: Counter<'topic'>) {
        this.reset(); // deleted topics disappear
        for (const [topic, c] of src.perTopic) this.inc({ topic }, pick(c));
      },
    });
  };
  topicCounter('eddy_bytes_in_total', 'Record batch bytes produced, per topic', (c) => c.bytesIn);
  topicCounter('eddy_records_in_total', 'Records produced (counted from batch headers), per topic', (c) => c.recordsIn);
  topicCounter('eddy_bytes_out_total', 'Record batch bytes sent to consumers, per topic', (c) => c.bytesOut);
  topicCounter('eddy_records_out_total', 'Records sent to consumers (counted from batch headers), per topic', (c) => c.recordsOut);

  const requestDuration = new Histogram({
    name: 'eddy_request_duration_seconds',
    help: 'Time from a request frame to its response, per API (streams: to the stream opening)',
    labelNames: ['api'],
    buckets: DURATION_BUCKETS,
    registers,
  });

  const single = (kind: 'counter' | 'gauge', name: string, help: string, value: () => number): void => {
    if (kind === 'gauge') {
      new Gauge({ name, help, registers, collect(this: Gauge) { this.set(value()); } });
    } else {
      new Counter({ name, help, registers, collect(this: Counter) { this.reset(); this.inc(value()); } });
    }
  };
  single('gauge', 'eddy_connections', 'Open client connections', () => src.connections);
  single('counter', 'eddy_connections_total', 'Client connections accepted', () => src.connectionsTotal);
  single('gauge', 'eddy_stream_fetches', 'Open streaming fetches', () => src.streams);
  single('counter', 'eddy_protocol_errors_total', 'Connections closed for malformed input', () => src.protocolErrors);

  const partitionGauge = (name: string, help: string, pick: (p: PartitionFigures) => number): void => {
    new Gauge({
      name, help, labelNames: ['topic', 'partition'], registers,
      collect(this: Gauge<'topic' | 'partition'>) {
        this.reset(); // deleted partitions disappear
        for (const p of src.partitions()) this.set({ topic: p.topic, partition: String(p.partition) }, pick(p));
      },
    });
  };
  partitionGauge('eddy_partition_size_bytes', 'Bytes stored per partition', (p) => p.sizeBytes);
  partitionGauge('eddy_partition_high_watermark', 'High watermark per partition', (p) => p.highWatermark);
  partitionGauge('eddy_partition_log_start_offset', 'Log start offset per partition', (p) => p.logStartOffset);
  partitionGauge('eddy_partition_lost_offsets', 'Offsets lost to damaged segments per partition (0 when healthy)', (p) => p.lostOffsets);

  const byApi = new Map<string, { observe(value: number): void }>();
  return {
    registry,
    observeRequest(api, seconds) {
      let h = byApi.get(api);
      if (h === undefined) {
        h = requestDuration.labels(api);
        byApi.set(api, h);
      }
      h.observe(seconds);
    },
  };
}
