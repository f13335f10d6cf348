// The broker's metrics and logs. metrics_server.ts and prometheus.ts are left out on purpose:
// they are imported lazily, only by brokers that serve metrics.
export { BrokerMetrics, METRICS_CONTENT_TYPE } from './metrics.ts';
export type { MetricsRegistry } from './metrics.ts';
export type { MetricsSource, PartitionFigures, TopicCounters } from './metrics_source.ts';
export { createLogger } from './logger.ts';
export type { LogOptions, OwnedLogger } from './logger.ts';
