#!/usr/bin/env node
// The `cdk` command from the TypeScript sources, for the repo (Node 26 strips types). Installed
// copies run bin/cdk.js, which runs the compiled code.
import { main } from '../src/main.ts';

process.exitCode = await main(process.argv.slice(2));
