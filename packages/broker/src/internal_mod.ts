// @eddy/broker/internal: the broker's parts beyond the public face (mod.ts: startBroker), for
// the CLI, tests and benches: controller, SPU, SmartModule service, graph runner, defaults.
export { DEFAULT_FRAME_TIMEOUT_MS, DEFAULT_HOST } from './defaults.ts';
export { Controller, LocalMetadataStore, MetadataKind, TOPIC_DEFAULTS, TOPIC_LIMITS, resolveTopicSpec, validateTopicName } from './controller/index.ts';
export type { MetadataStore, MetadataObject, MetadataEvent, PartitionProvisioner, TopicObject, SpuObject, SmartModuleObject } from './controller/index.ts';
export { GraphRegistry, GRAPH_KIND } from './controller/index.ts';
export type { GraphRuntimeStatus, GraphStatusSource, GraphObject, GraphStoredStatus, GraphOperationSummary, GraphLoader, GraphLoadResult } from './controller/index.ts';
export { Spu, DEFAULT_SPU_ID } from './spu/index.ts';
export type { FetchTransformFactory, ProduceTransform, BatchTransform, TransformResult, StreamSink } from './spu/index.ts';
export { FetchStream, PartitionLeader } from './spu/index.ts';
export { BROKER_VERSION } from './server/index.ts';
export { SmartModuleService, SmartModuleFailure, DEFAULT_SMARTMODULE_MEMORY_BYTES, DEFAULT_SMARTMODULE_TIME_BUDGET_MS } from './smartmodule/index.ts';
export type { SmartModuleServiceOptions } from './smartmodule/index.ts';
export { GraphRunner } from './dataflow/graph_runner.ts';
export type { GraphRunnerOptions } from './dataflow/graph_runner.ts';
