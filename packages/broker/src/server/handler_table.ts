import { Apis } from '@eddy/protocol';
import type { ApiName } from '@eddy/protocol';
import type { AnyHandler, Handler } from './handler.ts';
import { apiVersions } from './handlers/api_versions.ts';
import { produce } from './handlers/produce.ts';
import { listOffsets } from './handlers/list_offsets.ts';
import { offsetCommit } from './handlers/offset_commit.ts';
import { offsetFetch } from './handlers/offset_fetch.ts';
import { listConsumers } from './handlers/list_consumers.ts';
import { deleteConsumer } from './handlers/delete_consumer.ts';
import { createTopic } from './handlers/create_topic.ts';
import { deleteTopic } from './handlers/delete_topic.ts';
import { listTopics } from './handlers/list_topics.ts';
import { listPartitions } from './handlers/list_partitions.ts';
import { listSpus } from './handlers/list_spus.ts';
import { createSmartModule } from './handlers/create_smartmodule.ts';
import { deleteSmartModule } from './handlers/delete_smartmodule.ts';
import { listSmartModules } from './handlers/list_smartmodules.ts';
import { applyGraph } from './handlers/apply_graph.ts';
import { listGraphs } from './handlers/list_graphs.ts';
import { describeGraph } from './handlers/describe_graph.ts';
import { deleteGraph } from './handlers/delete_graph.ts';
import { createConnector } from './handlers/create_connector.ts';
import { listConnectors } from './handlers/list_connectors.ts';
import { describeConnector } from './handlers/describe_connector.ts';
import { deleteConnector } from './handlers/delete_connector.ts';
import { updateConnector } from './handlers/update_connector.ts';
import { connectorLogs } from './handlers/connector_logs.ts';

/** Apis a connection serves itself: long-lived responses and their control requests. */
export type ConnectionApi = 'StreamFetch' | 'StreamFetchAck' | 'StreamFetchClose' | 'WatchMetadata';

/** Apis answered with exactly one response, each by a handler of its own. */
export type RequestResponseApi = Exclude<ApiName, ConnectionApi>;

/** Every request-response api's handler, typed by api: a handler of the wrong api does not compile. */
export type HandlerTable = { readonly [N in RequestResponseApi]: Handler<N> };

export const HANDLERS: HandlerTable = {
  ApiVersions: apiVersions,
  Produce: produce,
  ListOffsets: listOffsets,
  OffsetCommit: offsetCommit,
  OffsetFetch: offsetFetch,
  ListConsumers: listConsumers,
  DeleteConsumer: deleteConsumer,
  CreateTopic: createTopic,
  DeleteTopic: deleteTopic,
  ListTopics: listTopics,
  ListPartitions: listPartitions,
  ListSpus: listSpus,
  CreateSmartModule: createSmartModule,
  DeleteSmartModule: deleteSmartModule,
  ListSmartModules: listSmartModules,
  ApplyGraph: applyGraph,
  ListGraphs: listGraphs,
  DescribeGraph: describeGraph,
  DeleteGraph: deleteGraph,
  CreateConnector: createConnector,
  ListConnectors: listConnectors,
  DescribeConnector: describeConnector,
  DeleteConnector: deleteConnector,
  UpdateConnector: updateConnector,
  ConnectorLogs: connectorLogs,
};

/** The table by api key, as a connection looks handlers up (streams and watches are not in it). */
export function handlersByKey(table: HandlerTable = HANDLERS): Map<number, AnyHandler> {
  const byKey = new Map<number, AnyHandler>();
  for (const name of Object.keys(table) as RequestResponseApi[]) byKey.set(Apis[name].key, table[name] as AnyHandler);
  return byKey;
}
