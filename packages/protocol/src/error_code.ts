/** Wire error codes with their meaning and whether a client may retry. Never renumber. */
export const ErrorCode = {
  None: 0,
  Unknown: 1,
  CorruptMessage: 2,
  UnknownTopic: 3,
  UnknownPartition: 4,
  OffsetOutOfRange: 5,
  RecordTooLarge: 6,
  NotLeader: 7,
  TopicAlreadyExists: 8,
  InvalidTopicName: 9,
  InvalidConfig: 10,
  UnsupportedVersion: 11,
  InvalidRequest: 12,
  FrameTooLarge: 13,
  Timeout: 14,
  BrokerShuttingDown: 15,
  StorageError: 16,
  SmartModuleNotFound: 17,
  SmartModuleInvalid: 18,
  SmartModuleRuntime: 19,
  SmartModuleInit: 20,
  ConsumerNotFound: 21,
  SmartModuleExists: 22,
  UnsupportedCompression: 23,
  StreamClosed: 24,
  BrokerUnavailable: 25,
  GraphNotFound: 26,
  /** A graph definition failed validation; the message holds one line per problem. */
  GraphInvalid: 27,
  /** The partition's disk is full; nothing of the append was stored. Retry once space is freed. */
  StorageFull: 28,
  /**
   * A produced batch passed its CRC but its records are malformed (Kafka's INVALID_RECORD): the
   * producer built it wrong, so a retry cannot succeed. CorruptMessage stays for framing and CRC.
   */
  CorruptRecord: 29,
  /**
   * A stream reached offsets lost to a damaged segment. The response's nextOffset is where data
   * resumes: a consumer may re-open there (skip) or stop. Not retriable: the data is gone.
   */
  DataLoss: 30,
  ConnectorNotFound: 31,
  ConnectorExists: 32,
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

const RETRIABLE = new Set<number>([
  ErrorCode.NotLeader,
  ErrorCode.Timeout,
  ErrorCode.BrokerShuttingDown,
  ErrorCode.BrokerUnavailable,
  ErrorCode.StorageFull,
]);

export function isRetriable(code: number): boolean {
  return RETRIABLE.has(code);
}

export function errorCodeName(code: number): string {
  for (const [name, c] of Object.entries(ErrorCode)) if (c === code) return name;
  return `Error${code}`;
}
