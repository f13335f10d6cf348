#!/usr/bin/env node
// The `http-source` connector from the TypeScript sources, for the repo (Node 26 strips types). Installed
// copies run bin/http-source.js, which runs the compiled code.
import { runConnector } from '@eddy/connector';
import { httpSource } from '../src/http_source.ts';

await runConnector(httpSource, process.argv);
