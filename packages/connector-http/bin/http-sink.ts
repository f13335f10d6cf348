#!/usr/bin/env node
// The `http-sink` connector from the TypeScript sources, for the repo (Node 26 strips types). Installed
// copies run bin/http-sink.js, which runs the compiled code.
import { runConnector } from '@eddy/connector';
import { httpSink } from '../src/http_sink.ts';

await runConnector(httpSink, process.argv);
