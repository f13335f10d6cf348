// @eddy/cli/internal: the pieces of `eddy bench` and `eddy cluster` that the repo's peer benchmarks
// (bench/) and end-to-end tests reuse beyond the public face (mod.ts).
export { brokerLaunch, brokerMainPath } from './cluster/local_cluster.ts';
export { readProcRss } from './bench/broker_rss.ts';
export { payloadPool, ageMs, stampedValue } from './bench/payload.ts';
export { LatencyRecorder, throughput } from './bench/report.ts';
export type { LatencySummary, Throughput } from './bench/report.ts';
export { paced, windowed } from './bench/pace.ts';
export { connectEddy, createTopic } from './bench/eddy_client.ts';
export type { EddyClient } from './bench/eddy_client.ts';
export { runProducers } from './bench/producer.ts';
export { runConsumer } from './bench/consumer.ts';
export { runE2e } from './bench/e2e.ts';
export { runSmartModule } from './bench/smartmodule.ts';
