#!/usr/bin/env node
// The `smdk` command from the TypeScript sources, for the repo (Node 26 strips types). Installed
// copies run bin/smdk.js, which runs the compiled code.
import { main } from '../src/main.ts';

await main(process.argv);
