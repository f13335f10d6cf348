// Compiles every published package to dist/ (.js and .d.ts) in dependency order: each build
// resolves the packages below it to their dist/*.d.ts (the `types` condition), so no package's
// sources are pulled into another's output. `--check` type-checks too (`npm run build`); without
// it only emits (`npm run build:dist`, which `npm ci` runs; the repo's own type-check is
// `tsc -p tsconfig.json`).
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
/** Lower layers first. */
export const BUILD_ORDER = [
  'protocol', 'smartengine', 'dataflow', 'broker', 'client', 'hub', 'connector', 'connector-file', 'connector-http', 'connector-sql', 'connector-mqtt', 'cdk',
  'cli', 'smartmodule-sdk', 'smdk',
] as const;

const check = process.argv.includes('--check');
const tsc = `${ROOT}node_modules/.bin/tsc`;
for (const pkg of BUILD_ORDER) {
  // From scratch: a renamed or removed source file must not leave its old .js behind to be packed.
  rmSync(`${ROOT}packages/${pkg}/dist`, { recursive: true, force: true });
  const r = spawnSync(tsc, ['-p', `${ROOT}packages/${pkg}/tsconfig.build.json`, ...(check ? [] : ['--noCheck'])], { stdio: 'inherit' });
  if (r.status !== 0) {
    process.stderr.write(`build: tsc failed for packages/${pkg}\n`);
    process.exit(r.status ?? 1);
  }
}
