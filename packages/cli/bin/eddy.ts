#!/usr/bin/env node
// The `eddy` command from the TypeScript sources, for the repo (Node 26 strips types). Installed
// copies run bin/eddy.js, which runs the compiled bundle.
import { main } from '../src/main.ts';

await main(process.argv);
