export { BrokerServer } from './server.ts';
export { Connection } from './connection.ts';
export type { ConnectionContext } from './connection.ts';
export { createHandlers, BROKER_VERSION } from './handlers.ts';
export type { Handler, HandlerContext } from './handlers.ts';
export { BrokerMetrics, startMetricsServer } from './metrics.ts';
export type { PartitionFigures } from './metrics.ts';
export { createLogger } from './logger.ts';
export type { LogOptions, OwnedLogger } from './logger.ts';
