/** Request kinds. Numbers are part of the wire format: never renumber. */
export const ApiKey = {
  ApiVersions: 0,
  Produce: 1,
  StreamFetch: 2,
  StreamFetchAck: 3,
  StreamFetchClose: 4,
  ListOffsets: 5,
  OffsetCommit: 6,
  OffsetFetch: 7,
  ListConsumers: 8,
  DeleteConsumer: 9,
  CreateTopic: 10,
  DeleteTopic: 11,
  ListTopics: 12,
  ListPartitions: 13,
  ListSpus: 14,
  WatchMetadata: 15,
  CreateSmartModule: 20,
  DeleteSmartModule: 21,
  ListSmartModules: 22,
  ApplyGraph: 30,
  ListGraphs: 31,
  DescribeGraph: 32,
  DeleteGraph: 33,
  CreateConnector: 40,
  ListConnectors: 41,
  DescribeConnector: 42,
  DeleteConnector: 43,
  UpdateConnector: 44,
  ConnectorLogs: 45,
} as const;
export type ApiKey = (typeof ApiKey)[keyof typeof ApiKey];

export function apiKeyName(key: number): string {
  for (const [name, k] of Object.entries(ApiKey)) if (k === key) return name;
  return `unknown(${key})`;
}
