// What the broker's metrics expose to prom-client at scrape time. Its own module so that
// metrics.ts (which loads prometheus.ts lazily) and prometheus.ts (which reads these figures)
// both depend on it instead of on each other.

export interface PartitionFigures {
  topic: string;
  partition: number;
  sizeBytes: number;
  highWatermark: number;
  logStartOffset: number;
  /** Offsets lost to damaged segments (0 for a healthy partition). */
  lostOffsets: number;
}

/** Traffic of one topic since the broker started (or the topic was recreated). */
export interface TopicCounters {
  bytesIn: number;
  recordsIn: number;
  bytesOut: number;
  recordsOut: number;
}

/** What prom-client reads at scrape time. */
export interface MetricsSource {
  readonly perTopic: ReadonlyMap<string, Readonly<TopicCounters>>;
  readonly connections: number;
  readonly connectionsTotal: number;
  readonly streams: number;
  readonly protocolErrors: number;
  partitions(): Iterable<PartitionFigures>;
}
