// @eddy/client: connect to an Eddy cluster, produce, consume and manage it.
export { Eddy } from './eddy.ts';
export type { ConnectOptions } from './eddy.ts';
export { Producer, RecordFuture } from './producer/index.ts';
export type { ProducerOptions, SendOptions, ProducerRecord, ProducerStats, HeadersInput, RecordMetadata } from './producer/index.ts';
export { Consumer } from './consumer.ts';
export type { ConsumerOptions, StreamOptions, ConsumerRecord } from './consumer.ts';
export { ConsumerBatch } from './consumer_batch.ts';
export { RecordStream } from './record_stream.ts';
export { Offset, OffsetKind } from './offset.ts';
export { Admin } from './admin.ts';
export type { PartitionInfo, PartitionOffsets, MetadataKindName, GraphSpecInput } from './admin.ts';
export {
  SmartModuleSpecError, resolveSmartModule, toInvocation, toInvocations, parseTransforms, parseTransformLine, parseHumanDuration,
} from './smartmodule_spec.ts';
export type { SmartModuleSpec, SmartModuleOptions, ResolvedSmartModule } from './smartmodule_spec.ts';
export { LocalSmartModules, defaultSmartEngine, transformFetched, transformProduced, transformProducedSection } from './local_smartmodules.ts';
export type { LookBackReader, FetchedOutput, ProducedOutput } from './local_smartmodules.ts';
export { defaultPartitioner, partitionForKey } from './partitioner.ts';
export type { Partitioner } from './partitioner.ts';
export { murmur2 } from './murmur2.ts';
export { parseEndpoint, formatEndpoint, DEFAULT_ENDPOINT, DEFAULT_PORT } from './endpoint.ts';
export type { Endpoint } from './endpoint.ts';
export {
  ProfileError, eddyHome, configPath, loadConfig, parseConfig, saveConfig,
  addProfile, listProfiles, switchProfile, deleteProfile, currentProfile, resolveEndpoint,
} from './profile.ts';
export type { Profile, ProfileListing, ProfileConfig } from './profile.ts';
export {
  formatObjects, formatData, formatTable, parseOutputFormat, formatDuration, formatBytes, formatAge,
  columnsByKind, topicColumns, partitionColumns, spuColumns, consumerColumns, smartModuleColumns, offsetColumns, profileColumns,
  OUTPUT_FORMATS,
} from './output.ts';
export type { OutputFormat, ObjectKind, ObjectKinds, Column } from './output.ts';
// Lower layers, for tools that speak the protocol directly (benchmarks, tests).
export { Connection, CLIENT_VERSION, CORE_APIS } from './connection.ts';
export type { ConnectionOptions, RequestOptions, StreamHandler, StreamHandle } from './connection.ts';
export { BrokerClient } from './broker_client.ts';
// Errors and object types callers branch on or print.
export { EddyError, ErrorCode, UnknownTopicError, OffsetOutOfRangeError } from '@eddy/protocol';
export type { Topic, TopicSpec, TopicStatus, PartitionStatus, Spu, ConsumerOffsetInfo, SmartModuleMeta, MetadataChange, CompressionName } from '@eddy/protocol';
