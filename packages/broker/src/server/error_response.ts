import { ApiKey } from '@eddy/protocol';
import { MAX_ERROR_MESSAGE_CHARS } from '../defaults.ts';

const EMPTY = Buffer.alloc(0);

/**
 * A complete, decodable response body of API `apiKey` that reports `errorCode`, so a client's
 * ordinary decoder reads the error. Produce has no top-level error field: its error response is
 * an empty topic list, and the client sees its partitions missing.
 */
export function errorBody(apiKey: number, errorCode: number, errorMessage: string): Record<string, unknown> {
  const status = { errorCode, errorMessage };
  switch (apiKey) {
    case ApiKey.ApiVersions: return { ...status, serverVersion: '', apis: [] };
    case ApiKey.Produce: return { topics: [] };
    case ApiKey.StreamFetch:
      return {
        ...status, partition: -1, startOffset: -1, highWatermark: -1, logStartOffset: -1, nextOffset: -1,
        endOfStream: true, smartModuleError: null, records: EMPTY,
      };
    case ApiKey.ListOffsets: return { ...status, partitions: [] };
    case ApiKey.OffsetFetch: return { ...status, partitions: [] };
    case ApiKey.ListConsumers: return { ...status, consumers: [] };
    case ApiKey.ListTopics: return { ...status, topics: [] };
    case ApiKey.ListPartitions: return { ...status, partitions: [] };
    case ApiKey.ListSpus: return { ...status, spus: [] };
    case ApiKey.WatchMetadata: return { ...status, changes: [] };
    case ApiKey.ListSmartModules: return { ...status, modules: [] };
    case ApiKey.ApplyGraph: return { ...status, created: false, operations: 0 };
    case ApiKey.ListGraphs: return { ...status, graphs: [] };
    case ApiKey.DescribeGraph: return { ...status, graph: null };
    case ApiKey.CreateConnector: return { ...status, name: '' };
    case ApiKey.UpdateConnector: return { ...status, name: '' };
    case ApiKey.ListConnectors: return { ...status, connectors: [] };
    case ApiKey.DescribeConnector: return { ...status, connector: null };
    case ApiKey.ConnectorLogs: return { ...status, text: '' };
    default: return status;
  }
}

/** An error message cut to at most `max` characters, for a response or a log line. */
export function clip(s: string, max = MAX_ERROR_MESSAGE_CHARS): string {
  return s.length > max ? `${s.slice(0, max - 3)}...` : s;
}
