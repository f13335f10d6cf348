export { Spu, DEFAULT_SPU_ID, DEFAULT_RETENTION_CHECK_MS } from './spu.ts';
export type { SpuOptions, SpuObserver, FetchTransformFactory, ProduceTransform } from './spu.ts';
export { FetchStream, DEFAULT_FETCH_MAX_BYTES } from './fetch_stream.ts';
export type { StreamSink, BatchTransform, TransformResult, FetchStreamOptions } from './fetch_stream.ts';
export { PartitionLeader } from './partition_leader.ts';
export { ConsumerOffsetStore } from './consumer_offsets.ts';
export { toEddyError } from './errors.ts';
