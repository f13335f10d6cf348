import { struct, array, i16, i32, i64, option, string } from '../codec/schema.ts';
import type { Infer, Schema } from '../codec/schema.ts';

/** UTF-8 text with a u32 length: a connector config can be longer than a u16 string allows. */
const text: Schema<string> = {
  write: (w, v) => void w.bytes(Buffer.from(v, 'utf8')),
  read: (r) => r.bytes().toString('utf8'),
};

/**
 * A cluster-managed connector as the SC keeps it: the config's YAML text (name and type come from
 * its `meta`) and the names of its secrets. Secret values never travel back: only names.
 * generation counts updates (the supervisor restarts the connector when it changes).
 */
export const ConnectorSpec = struct({
  type: string,
  config: text,
  secretNames: array(string),
  generation: i32,
  createdMs: i64,
  updatedMs: i64,
});
export type ConnectorSpec = Infer<typeof ConnectorSpec>;

/** The connector's states as `list` shows them. */
export const ConnectorState = { running: 'Running', restarting: 'Restarting', failed: 'Failed', stopped: 'Stopped' } as const;
export type ConnectorState = (typeof ConnectorState)[keyof typeof ConnectorState];

/** What the broker's supervisor observed; times are ms since the epoch, null = not known. */
export const ConnectorStatus = struct({
  /** ConnectorState: 'Running' | 'Restarting' | 'Failed' | 'Stopped' */
  state: string,
  restarts: i32,
  lastError: option(string),
  pid: option(i32),
  startedAtMs: option(i64),
});
export type ConnectorStatus = Infer<typeof ConnectorStatus>;

export const Connector = struct({ name: string, spec: ConnectorSpec, status: ConnectorStatus });
export type Connector = Infer<typeof Connector>;

/**
 * Creates (CreateConnector) or replaces (UpdateConnector) the connector named by the config's
 * `meta.name`. secrets is the text of a secrets file (KEY=value lines); on update, null keeps the
 * stored secrets.
 */
export const ConnectorConfigRequest = struct({ config: text, secrets: option(text) });
export type ConnectorConfigRequest = Infer<typeof ConnectorConfigRequest>;

export const ConnectorConfigResponse = struct({
  errorCode: i16,
  errorMessage: option(string),
  /** The connector's name (its config's meta.name). */
  name: string,
});
export type ConnectorConfigResponse = Infer<typeof ConnectorConfigResponse>;

/** An empty list asks for every connector. */
export const ListConnectorsRequest = struct({ names: array(string) });
export type ListConnectorsRequest = Infer<typeof ListConnectorsRequest>;

export const ListConnectorsResponse = struct({
  errorCode: i16,
  errorMessage: option(string),
  connectors: array(Connector),
});
export type ListConnectorsResponse = Infer<typeof ListConnectorsResponse>;

export const DescribeConnectorRequest = struct({ name: string });
export type DescribeConnectorRequest = Infer<typeof DescribeConnectorRequest>;

export const DescribeConnectorResponse = struct({
  errorCode: i16,
  errorMessage: option(string),
  connector: option(Connector),
});
export type DescribeConnectorResponse = Infer<typeof DescribeConnectorResponse>;

export const DeleteConnectorRequest = struct({ name: string });
export type DeleteConnectorRequest = Infer<typeof DeleteConnectorRequest>;

/** The last `lines` lines of the connector's captured output (0: all the broker keeps). */
export const ConnectorLogsRequest = struct({ name: string, lines: i32 });
export type ConnectorLogsRequest = Infer<typeof ConnectorLogsRequest>;

export const ConnectorLogsResponse = struct({
  errorCode: i16,
  errorMessage: option(string),
  text: text,
});
export type ConnectorLogsResponse = Infer<typeof ConnectorLogsResponse>;
