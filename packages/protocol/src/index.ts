// @eddy/protocol: framing, request/response codecs, the record and batch format.
// Pure functions over buffers: no sockets, no files.
export { Writer } from './codec/writer.ts';
export { Reader } from './codec/reader.ts';
export { DecodeError } from './codec/decode_error.ts';
export * as schema from './codec/schema.ts';
export type { Schema, Infer, StructOf } from './codec/schema.ts';
export { decode, encode } from './codec/schema.ts';
export { ApiKey, apiKeyName } from './api_key.ts';
export { ErrorCode, errorCodeName, isRetriable } from './error_code.ts';
export { EddyError, UnknownTopicError, OffsetOutOfRangeError, errorFromCode } from './eddy_error.ts';
export { RequestHeader, ResponseHeader } from './header.ts';
export { FrameDecoder, FrameTooLargeError, framed, DEFAULT_MAX_FRAME_BYTES } from './frame.ts';
export { FrameReader, FrameOrigin, DEFAULT_SCRATCH_BYTES } from './frame_reader.ts';
export type { FrameReaderOptions } from './frame_reader.ts';
export { Apis, apiByKey } from './apis.ts';
export type { ApiSpec, ApiName, RequestOf, ResponseOf } from './apis.ts';
export { encodeRequest, encodeResponse, readRequestHeader, readResponseHeader } from './envelope.ts';
export * from './messages/api_versions.ts';
export * from './messages/smartmodule_invocation.ts';
export * from './messages/produce.ts';
export * from './messages/stream_fetch.ts';
export * from './messages/list_offsets.ts';
export * from './messages/consumer_offsets.ts';
export * from './messages/topic.ts';
export * from './messages/spu.ts';
export * from './messages/smartmodule_admin.ts';
export * from './messages/watch_metadata.ts';
export * from './record/index.ts';
