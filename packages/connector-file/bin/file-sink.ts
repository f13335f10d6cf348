#!/usr/bin/env node
// The `file-sink` connector from the TypeScript sources, for the repo (Node 26 strips types). Installed
// copies run bin/file-sink.js, which runs the compiled code.
import { runConnector } from '@eddy/connector';
import { fileSink } from '../src/file_sink.ts';

await runConnector(fileSink, process.argv);
