// package-meta.yaml, in Fluvio's layout (package_format_version 0.3): what the package is and
// which files it carries. In a package the manifest lists bare file names.
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { HubError } from './hub_error.ts';
import { partProblem, versionProblem } from './package_ref.ts';

export const PACKAGE_META_FILE = 'package-meta.yaml';
export const PACKAGE_FORMAT_VERSION = '0.3';

export type Visibility = 'public' | 'private';

export interface PackageTag {
  tag: string;
  value: string;
}

export interface PackageMeta {
  package_format_version: string;
  group: string;
  name: string;
  version: string;
  description: string;
  license: string;
  repository?: string;
  tags?: PackageTag[];
  visibility: Visibility;
  manifest: string[];
}

const FILE_NAME = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;

export function formatPackageMeta(meta: PackageMeta): string {
  return stringifyYaml(meta);
}

/** Parses and checks package-meta.yaml text; `where` names it in the one-line error. */
export function parsePackageMeta(text: string, where = PACKAGE_META_FILE): PackageMeta {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new HubError(`${where} does not parse: ${(err as Error).message.split('\n')[0]}`);
  }
  return checkPackageMeta(doc, where);
}

export function checkPackageMeta(doc: unknown, where = PACKAGE_META_FILE): PackageMeta {
  const bad = (why: string) => new HubError(`${where} is not a package description: ${why}`);
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw bad('expected a mapping');
  const d = doc as Record<string, unknown>;
  const str = (key: string, required = true): string | undefined => {
    const v = d[key];
    if (v === undefined || v === null) {
      if (required) throw bad(`'${key}' is missing`);
      return undefined;
    }
    if (typeof v !== 'string' && typeof v !== 'number') throw bad(`'${key}' must be a string`);
    return String(v);
  };
  const format = str('package_format_version')!;
  const group = str('group')!;
  const name = str('name')!;
  const version = str('version')!;
  const problem = partProblem(group, 'group') ?? partProblem(name, 'name') ?? versionProblem(version);
  if (problem) throw bad(problem);
  const visibility = str('visibility', false) ?? 'private';
  if (visibility !== 'public' && visibility !== 'private') throw bad(`visibility must be public or private, not '${visibility}'`);
  const manifest = d.manifest;
  if (!Array.isArray(manifest) || manifest.length === 0) throw bad("'manifest' must list the package's files");
  for (const f of manifest) {
    if (typeof f !== 'string' || !FILE_NAME.test(f) || f === PACKAGE_META_FILE || /^signature\.\d+$/.test(f)) {
      throw bad(`manifest entry ${JSON.stringify(f)} is not a plain file name`);
    }
  }
  const meta: PackageMeta = {
    package_format_version: format,
    group, name, version,
    description: str('description', false) ?? '',
    license: str('license', false) ?? '',
    visibility,
    manifest: manifest as string[],
  };
  const repository = str('repository', false);
  if (repository !== undefined) meta.repository = repository;
  if (d.tags !== undefined && d.tags !== null) {
    if (!Array.isArray(d.tags) || d.tags.some((t) => t === null || typeof t !== 'object' || typeof t.tag !== 'string')) throw bad("'tags' must be a list of {tag, value}");
    meta.tags = (d.tags as { tag: string; value?: unknown }[]).map((t) => ({ tag: t.tag, value: String(t.value ?? '') }));
  }
  return meta;
}
