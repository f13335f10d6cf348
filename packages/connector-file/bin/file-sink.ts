#!/usr/bin/env node
// The `file-sink` connector. Node >= 24 runs this TypeScript file directly (type stripping).
import { runConnector } from '@eddy/connector';
import { fileSink } from '../src/file_sink.ts';

await runConnector(fileSink, process.argv);
