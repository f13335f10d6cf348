// @eddy/connector: the connector kit. A connector declares its options once (JSON Schema) and
// writes only the code that talks to its outside system; the kit does the rest.
// The kit's own machinery (config schema, validators, telemetry) is in internal_mod.ts
// (`@eddy/connector/internal`), for cdk and tests.
export { defineSource, defineSink } from './define.ts';
export type {
  ConnectorInfo, ConnectorContext, ConnectorDefinition, SourceDefinition, SourceContext, SourceRecord, SourceSession,
  SinkDefinition, SinkContext, SinkRecord, SinkWriter,
} from './define.ts';
export { runConnector, EXIT_OK, EXIT_FAILED, EXIT_USAGE } from './run_connector.ts';
export type { RunOptions } from './run_connector.ts';
export { startConnector } from './start_connector.ts';
export type { StartOptions, RunningConnector } from './start_connector.ts';
export { parseConnectorConfig, loadConnectorConfig } from './connector_config.ts';
export type {
  ConnectorConfig, ApiVersion, TopicConfig, ProducerConfig, ConsumerConfig, OffsetStartConfig, LoadOptions,
} from './connector_config.ts';
export { connectorMetadata } from './metadata.ts';
export type { ConnectorMetadata } from './metadata.ts';
export { optionsTable } from './json_schema.ts';
export type { JsonSchema } from './json_schema.ts';
export { SecretResolver, parseSecretsFile, loadSecretsFile } from './secrets.ts';
export type { SecretSource } from './secrets.ts';
export { withRetry, RETRY_DEFAULTS } from './retry.ts';
export type { RetryOptions } from './retry.ts';
export { ConfigError, RetryBudgetExhausted, PermanentError } from './errors.ts';
export { parseByteSize } from './byte_size.ts';
