#!/usr/bin/env node
// The `sql-sink` connector from the TypeScript sources, for the repo (Node 26 strips types). Installed
// copies run bin/sql-sink.js, which runs the compiled code.
import { runConnector } from '@eddy/connector';
import { sqlSink } from '../src/sql_sink.ts';

await runConnector(sqlSink, process.argv);
