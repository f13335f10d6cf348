// @eddy/client: connect to an Eddy cluster, produce, consume and manage it.
// The lower layers the CLI, tools, tests and benches reach beyond this face (connections, local
// SmartModule chains, SmartModule spec resolution, the partitioner's hash) are in internal_mod.ts
// (`@eddy/client/internal`).
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
export { SmartModuleSpecError, parseTransforms, parseTransformLine } from './smartmodule_spec.ts';
export type { SmartModuleSpec, SmartModuleOptions } from './smartmodule_spec.ts';
export { defaultPartitioner, partitionForKey } from './partitioner.ts';
export type { Partitioner } from './partitioner.ts';
export { DEFAULT_ENDPOINT } from './endpoint.ts';
export {
  ProfileError, eddyHome, configPath, loadConfig, parseConfig, saveConfig,
  addProfile, listProfiles, switchProfile, deleteProfile, currentProfile, resolveEndpoint,
} from './profile.ts';
export type { Profile, ProfileListing, ProfileConfig } from './profile.ts';
// Errors and object types callers branch on or print.
export { EddyError, ErrorCode, UnknownTopicError, OffsetOutOfRangeError } from '@eddy/protocol';
export type { Topic, TopicSpec, TopicStatus, PartitionStatus, Spu, ConsumerOffsetInfo, SmartModuleMeta, MetadataChange, CompressionName } from '@eddy/protocol';
