#!/usr/bin/env node
// The `http-source` connector. Node >= 24 runs this TypeScript file directly (type stripping).
import { runConnector } from '@eddy/connector';
import { httpSource } from '../src/http_source.ts';

await runConnector(httpSource, process.argv);
