#!/usr/bin/env node
// The `smdk` command. Node >= 24 runs this TypeScript file directly (type stripping).
import { main } from '../src/main.ts';

await main(process.argv);
