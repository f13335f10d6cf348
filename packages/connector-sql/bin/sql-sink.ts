#!/usr/bin/env node
// The `sql-sink` connector. Node >= 24 runs this TypeScript file directly (type stripping).
import { runConnector } from '@eddy/connector';
import { sqlSink } from '../src/sql_sink.ts';

await runConnector(sqlSink, process.argv);
