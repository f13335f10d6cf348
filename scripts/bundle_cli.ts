// Bundles the compiled CLI (packages/*/dist, from `npm run build:dist`) with the Eddy packages it
// uses into packages/cli/dist/bundle/, which the installed `eddy` command runs: a command loads a
// few files instead of ~150, so `eddy --version` starts in about the time of a bare `node -e 0`.
// Command groups stay lazily loaded chunks (`eddy topic list` loads only the topic commands).
// The broker is not bundled (it is its own package and bundle, started as a child process or,
// for `cluster start --foreground`, imported on demand); the SmartModule sandbox worker sits
// beside the chunks because the engine resolves `./sandbox_worker.js` against its own file.
// npm dependencies stay external. Run after tsc: `node scripts/bundle_cli.ts`.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { npmExternals } from './npm_externals.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const BUNDLED = ['cli', 'client', 'protocol', 'smartengine', 'dataflow', 'hub'];

const outdir = `${ROOT}packages/cli/dist/bundle`;
rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: [
    `${ROOT}packages/cli/dist/main.js`,
    `${ROOT}packages/smartengine/dist/sandbox_worker.js`,
  ],
  entryNames: '[name]',
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node22', // the oldest Node the installed commands support
  conditions: ['eddy-dist'],
  external: [...npmExternals(ROOT, BUNDLED), '@eddy/broker', '@eddy/smartmodule-sdk', '@eddy/smartmodule-sdk/*'],
  keepNames: true, // stack traces and error names as in the sources
  logLevel: 'warning',
});
