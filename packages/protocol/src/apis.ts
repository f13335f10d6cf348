import { ApiKey } from './api_key.ts';
import type { Schema } from './codec/schema.ts';
import { ApiVersionsRequest, ApiVersionsResponse } from './messages/api_versions.ts';
import { ProduceRequest, ProduceResponse } from './messages/produce.ts';
import { StreamFetchRequest, StreamFetchResponse, StreamFetchAck, StreamFetchClose, StatusResponse } from './messages/stream_fetch.ts';
import { ListOffsetsRequest, ListOffsetsResponse } from './messages/list_offsets.ts';
import {
  OffsetCommitRequest, OffsetFetchRequest, OffsetFetchResponse, ListConsumersRequest,
  ListConsumersResponse, DeleteConsumerRequest,
} from './messages/consumer_offsets.ts';
import {
  CreateTopicRequest, DeleteTopicRequest, ListTopicsRequest, ListTopicsResponse,
  ListPartitionsRequest, ListPartitionsResponse,
} from './messages/topic.ts';
import { ListSpusRequest, ListSpusResponse } from './messages/spu.ts';
import { WatchMetadataRequest, WatchMetadataResponse } from './messages/watch_metadata.ts';
import {
  CreateSmartModuleRequest, DeleteSmartModuleRequest, ListSmartModulesRequest, ListSmartModulesResponse,
} from './messages/smartmodule_admin.ts';
import {
  ApplyGraphRequest, ApplyGraphResponse, ListGraphsRequest, ListGraphsResponse, DescribeGraphRequest,
  DescribeGraphResponse, DeleteGraphRequest,
} from './messages/graph_admin.ts';

export interface ApiSpec<Req, Res> {
  key: number;
  minVersion: number;
  maxVersion: number;
  request: Schema<Req>;
  /** null for one-way requests that are never answered. */
  response: Schema<Res> | null;
  /** Answered by many responses sharing the request's correlation id. */
  streaming: boolean;
}

function api<Req, Res>(key: number, request: Schema<Req>, response: Schema<Res> | null, streaming = false): ApiSpec<Req, Res> {
  return { key, minVersion: 0, maxVersion: 0, request, response, streaming };
}

/** Every API this protocol version speaks; ApiVersions advertises exactly this table. */
export const Apis = {
  ApiVersions: api(ApiKey.ApiVersions, ApiVersionsRequest, ApiVersionsResponse),
  Produce: api(ApiKey.Produce, ProduceRequest, ProduceResponse),
  StreamFetch: api(ApiKey.StreamFetch, StreamFetchRequest, StreamFetchResponse, true),
  StreamFetchAck: api(ApiKey.StreamFetchAck, StreamFetchAck, null),
  StreamFetchClose: api(ApiKey.StreamFetchClose, StreamFetchClose, StatusResponse),
  ListOffsets: api(ApiKey.ListOffsets, ListOffsetsRequest, ListOffsetsResponse),
  OffsetCommit: api(ApiKey.OffsetCommit, OffsetCommitRequest, StatusResponse),
  OffsetFetch: api(ApiKey.OffsetFetch, OffsetFetchRequest, OffsetFetchResponse),
  ListConsumers: api(ApiKey.ListConsumers, ListConsumersRequest, ListConsumersResponse),
  DeleteConsumer: api(ApiKey.DeleteConsumer, DeleteConsumerRequest, StatusResponse),
  CreateTopic: api(ApiKey.CreateTopic, CreateTopicRequest, StatusResponse),
  DeleteTopic: api(ApiKey.DeleteTopic, DeleteTopicRequest, StatusResponse),
  ListTopics: api(ApiKey.ListTopics, ListTopicsRequest, ListTopicsResponse),
  ListPartitions: api(ApiKey.ListPartitions, ListPartitionsRequest, ListPartitionsResponse),
  ListSpus: api(ApiKey.ListSpus, ListSpusRequest, ListSpusResponse),
  WatchMetadata: api(ApiKey.WatchMetadata, WatchMetadataRequest, WatchMetadataResponse, true),
  CreateSmartModule: api(ApiKey.CreateSmartModule, CreateSmartModuleRequest, StatusResponse),
  DeleteSmartModule: api(ApiKey.DeleteSmartModule, DeleteSmartModuleRequest, StatusResponse),
  ListSmartModules: api(ApiKey.ListSmartModules, ListSmartModulesRequest, ListSmartModulesResponse),
  ApplyGraph: api(ApiKey.ApplyGraph, ApplyGraphRequest, ApplyGraphResponse),
  ListGraphs: api(ApiKey.ListGraphs, ListGraphsRequest, ListGraphsResponse),
  DescribeGraph: api(ApiKey.DescribeGraph, DescribeGraphRequest, DescribeGraphResponse),
  DeleteGraph: api(ApiKey.DeleteGraph, DeleteGraphRequest, StatusResponse),
} as const;

export type ApiName = keyof typeof Apis;
export type RequestOf<N extends ApiName> = (typeof Apis)[N] extends ApiSpec<infer Q, any> ? Q : never;
export type ResponseOf<N extends ApiName> = (typeof Apis)[N] extends ApiSpec<any, infer S> ? S : never;

const byKey = new Map<number, ApiSpec<any, any>>(Object.values(Apis).map((a) => [a.key, a]));
export function apiByKey(key: number): ApiSpec<any, any> | undefined {
  return byKey.get(key);
}
