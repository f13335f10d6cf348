// @eddy/connector-sql: the sql-sink connector (PostgreSQL and SQLite, Fluvio's SQL model).
export { sqlSink } from './sql_sink.ts';
export type { SqlSinkOptions } from './sql_sink.ts';
export { parseOperation, addToGroups, SQL_TYPES } from './sql_operation.ts';
export type { SqlOperation, SqlValue, SqlType, OperationGroup } from './sql_operation.ts';
export { PgDatabase } from './pg_database.ts';
export { SqliteDatabase } from './sqlite_database.ts';
