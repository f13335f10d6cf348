#!/usr/bin/env node
// The `cdk` command. Node >= 24 runs this TypeScript file directly (type stripping).
import { main } from '../src/main.ts';

process.exitCode = await main(process.argv.slice(2));
