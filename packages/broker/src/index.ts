// @eddy/broker: the controller (SC) and SPU of an Eddy cluster, and the TCP server in front.
export { startBroker } from './broker.ts';
export { DEFAULT_METRICS_PORT, DEFAULT_FRAME_TIMEOUT_MS } from './defaults.ts';
export type { Broker, BrokerOptions } from './broker.ts';
export { Controller, LocalMetadataStore, MetadataKind, TOPIC_DEFAULTS, TOPIC_LIMITS, resolveTopicSpec, validateTopicName } from './controller/index.ts';
export type { MetadataStore, MetadataObject, MetadataEvent, PartitionProvisioner, TopicObject, SpuObject, SmartModuleObject } from './controller/index.ts';
export { GraphRegistry, GRAPH_KIND } from './controller/index.ts';
export type { GraphRuntimeStatus, GraphStatusSource, GraphObject, GraphStoredStatus, GraphOperationSummary, GraphLoader, GraphLoadResult } from './controller/index.ts';
export { Spu, DEFAULT_SPU_ID } from './spu/index.ts';
export type { FetchTransformFactory, ProduceTransform, BatchTransform, TransformResult, StreamSink } from './spu/index.ts';
export { FetchStream, PartitionLeader } from './spu/index.ts';
export { BROKER_VERSION } from './server/index.ts';
export type { LogOptions } from './observability/index.ts';
export { SmartModuleService, SmartModuleFailure, DEFAULT_SMARTMODULE_MEMORY_BYTES, DEFAULT_SMARTMODULE_TIME_BUDGET_MS } from './smartmodule/index.ts';
export type { SmartModuleServiceOptions } from './smartmodule/index.ts';
export { GraphRunner } from './dataflow/graph_runner.ts';
export type { GraphRunnerOptions } from './dataflow/graph_runner.ts';
