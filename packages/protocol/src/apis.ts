import { ApiKey } from './api_key.ts';
import { defineApi } from './api_spec.ts';
import type { ApiSpec } from './api_spec.ts';
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
  ListPartitionsRequest, ListPartitionsResponse, ListPartitionsResponseV0,
} from './messages/topic.ts';
import { ListSpusRequest, ListSpusResponse } from './messages/spu.ts';
import { WatchMetadataRequest, WatchMetadataResponse } from './messages/watch_metadata.ts';
import {
  CreateSmartModuleRequest, CreateSmartModuleRequestV0, DeleteSmartModuleRequest, ListSmartModulesRequest,
  ListSmartModulesResponse, ListSmartModulesResponseV0,
} from './messages/smartmodule_admin.ts';
import {
  ApplyGraphRequest, ApplyGraphResponse, ListGraphsRequest, ListGraphsResponse, DescribeGraphRequest,
  DescribeGraphResponse, DeleteGraphRequest,
} from './messages/graph_admin.ts';
import {
  ConnectorConfigRequest, ConnectorConfigResponse, ListConnectorsRequest, ListConnectorsResponse, DescribeConnectorRequest,
  DescribeConnectorResponse, DeleteConnectorRequest, ConnectorLogsRequest, ConnectorLogsResponse,
} from './messages/connector_admin.ts';

/**
 * Every API this build speaks, by version; ApiVersions advertises each one's min..max from this
 * table, the client sends the highest version both sides speak, and the broker reads the request
 * and writes its answer in the layouts of the version named in the request header.
 *
 * Adding v1 of an API:
 * - never edit a layout that has shipped: v0's bytes are fixed (the golden tests pin them);
 * - add the new field to the model and a new layout holding it under key 1;
 * - give older layouts the field's value for peers that cannot send it: schema.defaulted(v0, {...});
 * - keep errorCode/errorMessage where they were in every response layout, so an UnsupportedVersion
 *   answer written in a neighbouring version still reads;
 * - retire a version by removing the lowest key only, and never retire ApiVersions v0: it is what
 *   a client sends before anything is negotiated.
 */
export const Apis = {
  ApiVersions: defineApi(ApiKey.ApiVersions, { 0: { request: ApiVersionsRequest, response: ApiVersionsResponse } }),
  Produce: defineApi(ApiKey.Produce, { 0: { request: ProduceRequest, response: ProduceResponse } }),
  StreamFetch: defineApi(ApiKey.StreamFetch, { 0: { request: StreamFetchRequest, response: StreamFetchResponse } }, true),
  StreamFetchAck: defineApi(ApiKey.StreamFetchAck, { 0: { request: StreamFetchAck, response: null } }),
  StreamFetchClose: defineApi(ApiKey.StreamFetchClose, { 0: { request: StreamFetchClose, response: StatusResponse } }),
  ListOffsets: defineApi(ApiKey.ListOffsets, { 0: { request: ListOffsetsRequest, response: ListOffsetsResponse } }),
  OffsetCommit: defineApi(ApiKey.OffsetCommit, { 0: { request: OffsetCommitRequest, response: StatusResponse } }),
  OffsetFetch: defineApi(ApiKey.OffsetFetch, { 0: { request: OffsetFetchRequest, response: OffsetFetchResponse } }),
  ListConsumers: defineApi(ApiKey.ListConsumers, { 0: { request: ListConsumersRequest, response: ListConsumersResponse } }),
  DeleteConsumer: defineApi(ApiKey.DeleteConsumer, { 0: { request: DeleteConsumerRequest, response: StatusResponse } }),
  CreateTopic: defineApi(ApiKey.CreateTopic, { 0: { request: CreateTopicRequest, response: StatusResponse } }),
  DeleteTopic: defineApi(ApiKey.DeleteTopic, { 0: { request: DeleteTopicRequest, response: StatusResponse } }),
  ListTopics: defineApi(ApiKey.ListTopics, { 0: { request: ListTopicsRequest, response: ListTopicsResponse } }),
  ListPartitions: defineApi(ApiKey.ListPartitions, {
    0: { request: ListPartitionsRequest, response: ListPartitionsResponseV0 },
    // v1: PartitionStatus gained damage and lostOffsets.
    1: { request: ListPartitionsRequest, response: ListPartitionsResponse },
  }),
  ListSpus: defineApi(ApiKey.ListSpus, { 0: { request: ListSpusRequest, response: ListSpusResponse } }),
  WatchMetadata: defineApi(ApiKey.WatchMetadata, { 0: { request: WatchMetadataRequest, response: WatchMetadataResponse } }, true),
  CreateSmartModule: defineApi(ApiKey.CreateSmartModule, {
    0: { request: CreateSmartModuleRequestV0, response: StatusResponse },
    // v1: the module's SmartModule ABI version (abiVersion).
    1: { request: CreateSmartModuleRequest, response: StatusResponse },
  }),
  DeleteSmartModule: defineApi(ApiKey.DeleteSmartModule, { 0: { request: DeleteSmartModuleRequest, response: StatusResponse } }),
  ListSmartModules: defineApi(ApiKey.ListSmartModules, {
    0: { request: ListSmartModulesRequest, response: ListSmartModulesResponseV0 },
    // v1: SmartModuleSpec gained abiVersion.
    1: { request: ListSmartModulesRequest, response: ListSmartModulesResponse },
  }),
  ApplyGraph: defineApi(ApiKey.ApplyGraph, { 0: { request: ApplyGraphRequest, response: ApplyGraphResponse } }),
  ListGraphs: defineApi(ApiKey.ListGraphs, { 0: { request: ListGraphsRequest, response: ListGraphsResponse } }),
  DescribeGraph: defineApi(ApiKey.DescribeGraph, { 0: { request: DescribeGraphRequest, response: DescribeGraphResponse } }),
  DeleteGraph: defineApi(ApiKey.DeleteGraph, { 0: { request: DeleteGraphRequest, response: StatusResponse } }),
  CreateConnector: defineApi(ApiKey.CreateConnector, { 0: { request: ConnectorConfigRequest, response: ConnectorConfigResponse } }),
  ListConnectors: defineApi(ApiKey.ListConnectors, { 0: { request: ListConnectorsRequest, response: ListConnectorsResponse } }),
  DescribeConnector: defineApi(ApiKey.DescribeConnector, { 0: { request: DescribeConnectorRequest, response: DescribeConnectorResponse } }),
  DeleteConnector: defineApi(ApiKey.DeleteConnector, { 0: { request: DeleteConnectorRequest, response: StatusResponse } }),
  UpdateConnector: defineApi(ApiKey.UpdateConnector, { 0: { request: ConnectorConfigRequest, response: ConnectorConfigResponse } }),
  ConnectorLogs: defineApi(ApiKey.ConnectorLogs, { 0: { request: ConnectorLogsRequest, response: ConnectorLogsResponse } }),
} as const;

export type ApiName = keyof typeof Apis;
export type RequestOf<N extends ApiName> = (typeof Apis)[N] extends ApiSpec<infer Q, any> ? Q : never;
export type ResponseOf<N extends ApiName> = (typeof Apis)[N] extends ApiSpec<any, infer S> ? S : never;

const byKey = new Map<number, ApiSpec<any, any>>(Object.values(Apis).map((a) => [a.key, a]));
export function apiByKey(key: number): ApiSpec<any, any> | undefined {
  return byKey.get(key);
}
