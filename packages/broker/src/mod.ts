// @eddy/broker: the controller (SC) and SPU of an Eddy cluster, and the TCP server in front.
// Embedding a broker takes startBroker and its options; the default ports and the version are
// @eddy/protocol's. The parts the CLI, tests and benches reach beyond that are in
// internal_mod.ts (`@eddy/broker/internal`).
export { startBroker } from './broker.ts';
export type { Broker, BrokerOptions } from './broker.ts';
export type { LogOptions } from './observability/index.ts';
