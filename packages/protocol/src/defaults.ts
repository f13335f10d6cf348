// Defaults every Eddy package shares. The well-known port belongs with the wire protocol (as
// Kafka's 9092 does); the product version is the one place to bump for a release (each
// packages/*/package.json "version" must agree: defaults.test.ts checks).

/** The product version, sent in ApiVersions by brokers and clients and printed by `--version`. */
export const EDDY_VERSION = '0.1.0';

/** The client port a broker listens on and a client dials when none is given (Fluvio's SC port). */
export const DEFAULT_PORT = 9003;

/** The port of a broker's Prometheus `/metrics` endpoint. */
export const DEFAULT_METRICS_PORT = 9004;
