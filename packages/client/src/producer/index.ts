// The producer's public face; the files beside it are its parts (see Producer for how they fit).
export { Producer } from './producer.ts';
export type { ProducerOptions, SendOptions, ProducerRecord, ProducerStats, HeadersInput } from './options.ts';
export { RecordFuture } from './record_future.ts';
export type { RecordMetadata } from './record_future.ts';
