// @eddy/connector/internal: the kit's machinery beyond the public face (mod.ts), for cdk, tests
// and benches: the config schema, JSON Schema validation, telemetry and error formatting.
export { sectionName } from './define.ts';
export { toOffset, META_SCHEMA, API_VERSIONS } from './connector_config.ts';
export { compileValidator, DRAFT_07 } from './json_schema.ts';
export { oneLine } from './errors.ts';
export { ConnectorMetrics, createConnectorLogger, serveMetrics } from './telemetry.ts';
