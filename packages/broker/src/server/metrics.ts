// The broker's Prometheus metrics: plain numbers bumped on the hot paths, rendered in the text
// exposition format when scraped. No metrics library: prom-client (and what it pulls in: http,
// tls, http2, cluster, zlib, v8, OpenTelemetry) cost the broker ~15 MB of RSS even with metrics
// disabled, for what is here a few counters and one histogram.
import type { SpuObserver } from '../spu/index.ts';

export interface PartitionFigures {
  topic: string;
  partition: number;
  sizeBytes: number;
  highWatermark: number;
  logStartOffset: number;
}

interface TopicCounters {
  bytesIn: number;
  recordsIn: number;
  bytesOut: number;
  recordsOut: number;
}

interface DurationHistogram {
  /** Cumulative at render time; per-bucket here. */
  buckets: number[];
  sum: number;
  count: number;
}

/** Upper bounds (seconds) of the request duration buckets. */
const DURATION_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** What the metrics endpoint and tests read (shaped like prom-client's Registry where used). */
export interface MetricsRegistry {
  readonly contentType: string;
  /** The whole exposition. */
  metrics(): Promise<string>;
  /** One metric family's exposition ('' when unknown). */
  getSingleMetricAsString(name: string): Promise<string>;
}

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function fmt(n: number): string {
  if (n === Infinity) return '+Inf';
  if (n === -Infinity) return '-Inf';
  return String(n);
}

/** Collects metric families in the text format. */
class Exposition {
  private out: string[] = [];
  family(name: string, help: string, type: 'counter' | 'gauge' | 'histogram'): void {
    this.out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
  }
  sample(name: string, labels: string, value: number): void {
    this.out.push(`${name}${labels} ${fmt(value)}`);
  }
  text(): string {
    return this.out.length === 0 ? '' : this.out.join('\n') + '\n';
  }
}

type Renderer = (e: Exposition) => void;

/**
 * The broker's metrics, one instance per broker (several may live in one process). Traffic
 * counters are bumped once per partition per request, never per record; partition figures are
 * read from the logs when scraped.
 */
export class BrokerMetrics implements SpuObserver {
  readonly registry: MetricsRegistry;
  private readonly perTopic = new Map<string, TopicCounters>();
  private readonly durations = new Map<string, DurationHistogram>();
  private connections = 0;
  private connectionsTotal = 0;
  private streams = 0;
  private protocolErrors = 0;
  private readonly families: Map<string, Renderer>;
  private lag: { mean: number; min: number; max: number; percentile(p: number): number; reset(): void } | null = null;
  private readonly startSeconds = Math.round(Date.now() / 1000 - process.uptime());

  constructor(partitions: () => Iterable<PartitionFigures>) {
    const topicFamily = (name: string, help: string, pick: (c: TopicCounters) => number): [string, Renderer] => [name, (e) => {
      e.family(name, help, 'counter');
      for (const [topic, c] of this.perTopic) e.sample(name, `{topic="${escapeLabel(topic)}"}`, pick(c));
    }];
    const partitionFamily = (name: string, help: string, pick: (p: PartitionFigures) => number): [string, Renderer] => [name, (e) => {
      e.family(name, help, 'gauge');
      for (const p of partitions()) e.sample(name, `{topic="${escapeLabel(p.topic)}",partition="${p.partition}"}`, pick(p));
    }];
    const single = (name: string, help: string, type: 'counter' | 'gauge', value: () => number): [string, Renderer] => [name, (e) => {
      e.family(name, help, type);
      e.sample(name, '', value());
    }];
    this.families = new Map<string, Renderer>([
      ...this.processFamilies(single),
      topicFamily('eddy_bytes_in_total', 'Record batch bytes produced, per topic', (c) => c.bytesIn),
      topicFamily('eddy_records_in_total', 'Records produced (counted from batch headers), per topic', (c) => c.recordsIn),
      topicFamily('eddy_bytes_out_total', 'Record batch bytes sent to consumers, per topic', (c) => c.bytesOut),
      topicFamily('eddy_records_out_total', 'Records sent to consumers (counted from batch headers), per topic', (c) => c.recordsOut),
      ['eddy_request_duration_seconds', (e) => this.renderDurations(e)],
      single('eddy_connections', 'Open client connections', 'gauge', () => this.connections),
      single('eddy_connections_total', 'Client connections accepted', 'counter', () => this.connectionsTotal),
      single('eddy_stream_fetches', 'Open streaming fetches', 'gauge', () => this.streams),
      single('eddy_protocol_errors_total', 'Connections closed for malformed input', 'counter', () => this.protocolErrors),
      partitionFamily('eddy_partition_size_bytes', 'Bytes stored per partition', (p) => p.sizeBytes),
      partitionFamily('eddy_partition_high_watermark', 'High watermark per partition', (p) => p.highWatermark),
      partitionFamily('eddy_partition_log_start_offset', 'Log start offset per partition', (p) => p.logStartOffset),
    ]);
    const render = (names: Iterable<string>): string => {
      const e = new Exposition();
      for (const n of names) this.families.get(n)?.(e);
      return e.text();
    };
    this.registry = {
      contentType: METRICS_CONTENT_TYPE,
      metrics: async () => {
        const text = render(this.families.keys());
        this.lag?.reset(); // lag figures cover one scrape interval
        return text;
      },
      getSingleMetricAsString: async (name) => render([name]),
    };
  }

  /** The usual process_* and nodejs_* figures (names as prom-client's default metrics). */
  private processFamilies(single: (name: string, help: string, type: 'counter' | 'gauge', value: () => number) => [string, Renderer]): [string, Renderer][] {
    const lagFamily = (name: string, help: string, pick: (h: NonNullable<BrokerMetrics['lag']>) => number): [string, Renderer] => [name, (e) => {
      const h = this.eventLoopDelay();
      e.family(name, help, 'gauge');
      // Histogram figures are nanoseconds (NaN until the first sample).
      const v = pick(h) / 1e9;
      e.sample(name, '', Number.isFinite(v) ? v : 0);
    }];
    return [
      single('process_cpu_user_seconds_total', 'Total user CPU time spent in seconds.', 'counter', () => process.cpuUsage().user / 1e6),
      single('process_cpu_system_seconds_total', 'Total system CPU time spent in seconds.', 'counter', () => process.cpuUsage().system / 1e6),
      single('process_cpu_seconds_total', 'Total user and system CPU time spent in seconds.', 'counter', () => {
        const u = process.cpuUsage();
        return (u.user + u.system) / 1e6;
      }),
      single('process_start_time_seconds', 'Start time of the process since unix epoch in seconds.', 'gauge', () => this.startSeconds),
      single('process_resident_memory_bytes', 'Resident memory size in bytes.', 'gauge', () => process.memoryUsage.rss()),
      single('nodejs_heap_size_total_bytes', 'Process heap size from Node.js in bytes.', 'gauge', () => process.memoryUsage().heapTotal),
      single('nodejs_heap_size_used_bytes', 'Process heap size used from Node.js in bytes.', 'gauge', () => process.memoryUsage().heapUsed),
      single('nodejs_external_memory_bytes', 'Node.js external memory size in bytes.', 'gauge', () => process.memoryUsage().external),
      lagFamily('nodejs_eventloop_lag_seconds', 'Mean event loop lag in seconds since the previous scrape.', (h) => h.mean),
      lagFamily('nodejs_eventloop_lag_max_seconds', 'Largest event loop lag in seconds since the previous scrape.', (h) => h.max),
      lagFamily('nodejs_eventloop_lag_p99_seconds', '99th percentile of the event loop lag in seconds since the previous scrape.', (h) => h.percentile(99)),
    ];
  }

  /** Starts sampling event-loop delay (brokers that serve metrics call this; else the first scrape does). */
  watchEventLoop(): void {
    this.eventLoopDelay();
  }

  /** perf_hooks is only loaded by brokers whose metrics are read. */
  private eventLoopDelay(): NonNullable<BrokerMetrics['lag']> {
    if (this.lag === null) {
      const { monitorEventLoopDelay } = process.getBuiltinModule('node:perf_hooks');
      const h = monitorEventLoopDelay({ resolution: 10 });
      h.enable();
      this.lag = h;
    }
    return this.lag;
  }

  private renderDurations(e: Exposition): void {
    const name = 'eddy_request_duration_seconds';
    e.family(name, 'Time from a request frame to its response, per API (streams: to the stream opening)', 'histogram');
    for (const [api, h] of this.durations) {
      const label = `api="${escapeLabel(api)}"`;
      let cumulative = 0;
      for (let i = 0; i < DURATION_BUCKETS.length; i++) {
        cumulative += h.buckets[i];
        e.sample(`${name}_bucket`, `{le="${DURATION_BUCKETS[i]}",${label}}`, cumulative);
      }
      e.sample(`${name}_bucket`, `{le="+Inf",${label}}`, h.count);
      e.sample(`${name}_sum`, `{${label}}`, h.sum);
      e.sample(`${name}_count`, `{${label}}`, h.count);
    }
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
    let h = this.durations.get(api);
    if (h === undefined) {
      h = { buckets: new Array<number>(DURATION_BUCKETS.length).fill(0), sum: 0, count: 0 };
      this.durations.set(api, h);
    }
    let i = 0;
    while (i < DURATION_BUCKETS.length && seconds > DURATION_BUCKETS[i]) i++;
    if (i < DURATION_BUCKETS.length) h.buckets[i]++;
    h.sum += seconds;
    h.count++;
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
