// Bundles the compiled broker (packages/*/dist, from `npm run build:dist`) into
// packages/broker/dist/bundle/: one module graph of a few files instead of ~130, which idles at
// ~9 MB less RSS (fewer module records, source strings and loader work). The two worker entries
// sit beside main.js under their own names, because the code that starts them resolves
// `./graph_worker.js` and `./sandbox_worker.js` against its own file. npm dependencies stay
// external (native addons, pino's worker files, lazily loaded codecs) and resolve from
// node_modules as usual. Run after tsc: `node scripts/bundle_broker.ts`.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { npmExternals } from './npm_externals.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const BUNDLED = ['broker', 'protocol', 'smartengine', 'dataflow'];

const outdir = `${ROOT}packages/broker/dist/bundle`;
rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: [
    `${ROOT}packages/broker/dist/main.js`,
    `${ROOT}packages/broker/dist/dataflow/graph_worker.js`,
    `${ROOT}packages/smartengine/dist/sandbox_worker.js`,
  ],
  entryNames: '[name]',
  outdir,
  bundle: true,
  splitting: true, // SmartModules, graphs and metrics stay lazily loaded chunks
  format: 'esm',
  platform: 'node',
  target: 'node22', // the oldest Node the installed commands support
  conditions: ['eddy-dist'],
  external: npmExternals(ROOT, BUNDLED),
  keepNames: true, // stack traces and error names as in the sources
  logLevel: 'warning',
});
