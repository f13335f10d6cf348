// @eddy/client/internal: the client's lower layers beyond the public face (mod.ts), for the CLI,
// smdk, tests and benches: connections that speak the protocol directly, SmartModule chains run
// in the client, SmartModule spec resolution, endpoints and the partitioner's hash.
export { Connection, CLIENT_VERSION, CORE_APIS } from './connection.ts';
export type { ConnectionOptions, RequestOptions, StreamHandler, StreamHandle } from './connection.ts';
export { BrokerClient } from './broker_client.ts';
export {
  resolveSmartModule, toInvocation, toInvocations, parseHumanDuration,
} from './smartmodule_spec.ts';
export type { ResolvedSmartModule } from './smartmodule_spec.ts';
export { LocalSmartModules, defaultSmartEngine, transformFetched, transformProduced, transformProducedSection } from './local_smartmodules.ts';
export type { LookBackReader, FetchedOutput, ProducedOutput } from './local_smartmodules.ts';
export { murmur2 } from './murmur2.ts';
export { parseEndpoint, formatEndpoint } from './endpoint.ts';
export type { Endpoint } from './endpoint.ts';
