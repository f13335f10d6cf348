// SmartModule.toml: a project's package metadata, in Fluvio's layout so a project reads the same
// to both tools (name, group, version, apiVersion, description, license, visibility, params).
import fs from 'node:fs';
import path from 'node:path';
import { SmdkError, fileProblem } from './errors.ts';
import { parseToml, stringifyToml, TomlError, type TomlTable } from './toml.ts';

export const MANIFEST_FILE = 'SmartModule.toml';

export interface ManifestParam {
  name: string;
  description: string;
  optional?: boolean;
}

export interface SmartModuleManifest {
  package: {
    name: string;
    group: string;
    version: string;
    apiVersion: string;
    description: string;
    license: string;
    visibility: 'public' | 'private';
  };
  params: ManifestParam[];
}

const NAME = /^[a-z0-9](?:[-a-z0-9]*[a-z0-9])?$/;
const SEMVER = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;

/**
 * Fluvio's SmartModule name rule (a DNS label): lowercase letters, digits and '-', starting and
 * ending with a letter or digit, at most 63 characters. Returns the problem, or null.
 */
export function nameProblem(name: string): string | null {
  if (name.length === 0) return 'name is empty';
  if (name.length > 63) return `'${name}' is longer than 63 characters`;
  if (!NAME.test(name)) return `'${name}' must use lowercase letters, digits and '-', starting and ending with a letter or digit`;
  return null;
}

export function defaultManifest(name: string, opts: { group?: string; description?: string; params?: ManifestParam[] } = {}): SmartModuleManifest {
  // A module's own version and API version start at 0.1.0: not Eddy's version (EDDY_VERSION).
  return {
    package: {
      name,
      group: opts.group ?? '',
      version: '0.1.0',
      apiVersion: '0.1.0',
      description: opts.description ?? '',
      license: 'Apache-2.0',
      visibility: 'private',
    },
    params: opts.params ?? [],
  };
}

export function formatManifest(m: SmartModuleManifest): string {
  const root: TomlTable = { package: { ...m.package } };
  if (m.params.length > 0) {
    root.params = m.params.map((p) => {
      const t: TomlTable = { name: p.name, description: p.description };
      if (p.optional !== undefined) t.optional = p.optional;
      return t;
    });
  }
  return stringifyToml(root);
}

/** Reads and checks `<dir>/SmartModule.toml`; every problem is one line naming the file. */
export function readManifest(dir: string): SmartModuleManifest {
  const file = path.join(dir, MANIFEST_FILE);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new SmdkError(`cannot read ${file}: ${fileProblem(err)}`);
  }
  return parseManifest(text, file);
}

export function parseManifest(text: string, file: string = MANIFEST_FILE): SmartModuleManifest {
  let root: TomlTable;
  try {
    root = parseToml(text, file);
  } catch (err) {
    if (err instanceof TomlError) throw new SmdkError(err.message);
    throw err;
  }
  const fail = (msg: string): never => {
    throw new SmdkError(`${file}: ${msg}`);
  };
  const pkg = root.package;
  if (pkg === undefined || typeof pkg !== 'object' || Array.isArray(pkg)) return fail('missing [package] table');
  const str = (key: string, required: boolean, dflt = ''): string => {
    const v = pkg[key];
    if (v === undefined) {
      if (required) fail(`missing package.${key}`);
      return dflt;
    }
    if (typeof v !== 'string') return fail(`package.${key} must be a string`);
    return v;
  };
  const name = str('name', true);
  const problem = nameProblem(name);
  if (problem) fail(`package.name: ${problem}`);
  const version = str('version', true);
  if (!SEMVER.test(version)) fail(`package.version '${version}' is not a semantic version (like 0.1.0)`);
  const vis = str('visibility', false, 'private');
  if (vis !== 'public' && vis !== 'private') fail(`package.visibility must be "public" or "private", not '${vis}'`);
  const visibility = vis as 'public' | 'private';
  const rawParams = root.params;
  const params: ManifestParam[] = [];
  if (rawParams !== undefined) {
    if (!Array.isArray(rawParams)) return fail('params must be written as [[params]] tables');
    rawParams.forEach((p, i) => {
      if (typeof p.name !== 'string' || p.name === '') fail(`params #${i + 1} needs a name`);
      const desc = p.description ?? '';
      if (typeof desc !== 'string') fail(`params #${i + 1} description must be a string`);
      if (p.optional !== undefined && typeof p.optional !== 'boolean') fail(`params #${i + 1} optional must be true or false`);
      params.push({ name: p.name as string, description: desc as string, ...(p.optional !== undefined ? { optional: p.optional as boolean } : {}) });
    });
  }
  return {
    package: {
      name,
      group: str('group', false),
      version,
      apiVersion: str('apiVersion', false, '0.1.0'),
      description: str('description', false),
      license: str('license', false),
      visibility,
    },
    params,
  };
}
