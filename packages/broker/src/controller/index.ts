export type { MetadataObject, MetadataEvent, MetadataListener, MetadataStore } from './metadata_store.ts';
export { LocalMetadataStore } from './local_metadata_store.ts';
export { Controller, MetadataKind } from './controller.ts';
export type { ControllerOptions, PartitionProvisioner, TopicObject, SpuObject, SmartModuleObject, SmartModuleStatus, ConnectorObject, ConnectorRuntime } from './controller.ts';
export { TOPIC_DEFAULTS, TOPIC_LIMITS, COMPRESSION_NAMES, FLUSH_POLICIES, resolveTopicSpec, validateTopicName } from './topic_spec.ts';
export { GraphRegistry, GRAPH_KIND } from './graph_registry.ts';
export type { GraphRuntimeStatus, GraphStatusSource, GraphObject, GraphStoredStatus, GraphOperationSummary, GraphLoader, GraphLoadResult } from './graph_registry.ts';
