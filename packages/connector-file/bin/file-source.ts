#!/usr/bin/env node
// The `file-source` connector from the TypeScript sources, for the repo (Node 26 strips types). Installed
// copies run bin/file-source.js, which runs the compiled code.
import { runConnector } from '@eddy/connector';
import { fileSource } from '../src/file_source.ts';

await runConnector(fileSource, process.argv);
