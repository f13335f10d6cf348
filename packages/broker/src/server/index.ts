export { BrokerServer } from './server.ts';
export { Connection } from './connection.ts';
export type { ConnectionContext } from './connection_context.ts';
export { HANDLERS, handlersByKey } from './handler_table.ts';
export type { ConnectionApi, HandlerTable, RequestResponseApi } from './handler_table.ts';
export type { AnyHandler, Handler, HandlerContext } from './handler.ts';
export { BROKER_VERSION } from './handlers/api_versions.ts';
