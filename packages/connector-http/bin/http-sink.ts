#!/usr/bin/env node
// The `http-sink` connector. Node >= 24 runs this TypeScript file directly (type stripping).
import { runConnector } from '@eddy/connector';
import { httpSink } from '../src/http_sink.ts';

await runConnector(httpSink, process.argv);
