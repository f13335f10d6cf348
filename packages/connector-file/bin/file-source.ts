#!/usr/bin/env node
// The `file-source` connector. Node >= 24 runs this TypeScript file directly (type stripping).
import { runConnector } from '@eddy/connector';
import { fileSource } from '../src/file_source.ts';

await runConnector(fileSource, process.argv);
