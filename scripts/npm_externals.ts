// The npm dependencies of some workspace packages, as esbuild `external` patterns: bundles hold
// Eddy's own code and leave npm packages (native addons, worker files, lazily loaded codecs) to
// resolve from node_modules as usual.
import { readFileSync } from 'node:fs';

export function npmExternals(root: string, packages: readonly string[]): string[] {
  const names = new Set<string>();
  for (const pkg of packages) {
    const json = JSON.parse(readFileSync(`${root}packages/${pkg}/package.json`, 'utf8')) as { dependencies?: Record<string, string> };
    for (const dep of Object.keys(json.dependencies ?? {})) {
      if (!dep.startsWith('@eddy/')) { names.add(dep); names.add(`${dep}/*`); }
    }
  }
  return [...names];
}
