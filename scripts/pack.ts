// Packs the published packages into tarballs (tmp/pack/ unless `--out <dir>`), the way users
// install them. Each package is staged with a release package.json: `engines` says what runs the
// installed code (Node >= 22; the workspace files carry none, because `npm ci` checks engines
// against the Node running npm, not the Node 26 the repo runs on, and warned for each
// package), the `source` condition is dropped (no src/ is shipped), devDependencies and scripts
// are dropped, and sibling packages are pinned to their exact versions.
// Run after `npm run build:dist` (`npm run pack` does both).
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
/** Every package users install (the order does not matter: npm links them by name). */
export const PUBLISHED = [
  'protocol', 'smartengine', 'dataflow', 'broker', 'client', 'cli', 'smartmodule-sdk', 'smdk',
  'hub', 'connector', 'cdk', 'connector-file', 'connector-http', 'connector-sql', 'connector-mqtt',
] as const;
/** The oldest Node the compiled code and the bin shims accept. */
export const NODE_RANGE = '>=22';

interface Manifest {
  name: string;
  version: string;
  files?: string[];
  exports?: Record<string, unknown>;
  dependencies?: Record<string, string>;
  [key: string]: unknown;
}

function withoutSource(entry: unknown): unknown {
  if (entry === null || typeof entry !== 'object') return entry;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(entry)) if (k !== 'source') out[k] = withoutSource(v);
  return out;
}

const outIndex = process.argv.indexOf('--out');
const outDir = path.resolve(outIndex > 0 ? process.argv[outIndex + 1] : path.join(ROOT, 'tmp', 'pack'));
const stageRoot = path.join(outDir, 'stage');
rmSync(stageRoot, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });

const manifests = new Map<string, Manifest>();
for (const pkg of PUBLISHED) manifests.set(pkg, JSON.parse(readFileSync(path.join(ROOT, 'packages', pkg, 'package.json'), 'utf8')) as Manifest);
const versions = new Map([...manifests.values()].map((m) => [m.name, m.version]));

for (const [pkg, m] of manifests) {
  const src = path.join(ROOT, 'packages', pkg);
  const stage = path.join(stageRoot, pkg);
  mkdirSync(stage, { recursive: true });
  for (const f of [...(m.files ?? []), 'README.md', 'LICENSE']) {
    if (existsSync(path.join(src, f))) cpSync(path.join(src, f), path.join(stage, f), { recursive: true, filter: (p) => !p.endsWith('.test.ts') && !p.endsWith('.tsbuildinfo') });
  }
  if (!existsSync(path.join(stage, 'dist'))) throw new Error(`packages/${pkg}/dist is missing: run npm run build:dist first`);
  const release: Manifest = { ...m, engines: { node: NODE_RANGE } };
  delete release.devDependencies;
  delete release.scripts;
  if (release.exports) release.exports = withoutSource(release.exports) as Record<string, unknown>;
  if (release.dependencies) {
    release.dependencies = Object.fromEntries(Object.entries(release.dependencies).map(([name, range]) => [name, versions.get(name) ?? range]));
  }
  writeFileSync(path.join(stage, 'package.json'), JSON.stringify(release, null, 2) + '\n');
  const file = execFileSync('npm', ['pack', '--silent', '--pack-destination', outDir], { cwd: stage, encoding: 'utf8' }).trim();
  process.stdout.write(`${path.join(outDir, file)}\n`);
}
rmSync(stageRoot, { recursive: true, force: true });
