// The Hub group a SmartModule is published under when SmartModule.toml names none. Like Fluvio,
// the hub identity comes first (the owner `eddy hub login` recorded), then the npm scope of the
// project's package.json (@acme/x -> acme); with neither, publishing says how to set one.
import fs from 'node:fs';
import path from 'node:path';
import { MANIFEST_FILE } from './manifest.ts';

export const GROUP_HINT = `set package.group in ${MANIFEST_FILE} (the hub group to publish under), or run 'eddy hub login --owner NAME' to publish under your hub owner`;

/** The owner `eddy hub login` recorded, if any (a broken hub config counts as not logged in here: publish reports it). */
export async function hubOwner(): Promise<string | undefined> {
  try {
    const { readHubConfig } = await import('@eddy/hub');
    const owner = readHubConfig().owner?.trim();
    return owner ? owner : undefined;
  } catch {
    return undefined;
  }
}

/** The scope of the project's npm package name (`@acme/filter` -> `acme`), if it has one. */
export function npmScope(projectDir: string): string | undefined {
  try {
    const pkg = JSON.parse(fs.readFileSync(path.join(projectDir, 'package.json'), 'utf8')) as { name?: unknown };
    const m = typeof pkg.name === 'string' ? /^@([^/]+)\//.exec(pkg.name) : null;
    return m ? m[1] : undefined;
  } catch {
    return undefined;
  }
}

/** The manifest's group if set, else the hub owner, else the npm scope; null when none is known. */
export function chooseGroup(manifestGroup: string, owner: string | undefined, scope: string | undefined): string | null {
  if (manifestGroup !== '') return manifestGroup;
  return owner ?? scope ?? null;
}
