// A package's name on the Hub: group/name@version (Fluvio's form). In the registry it is the
// repository <group>/<name> with the tag <version>.
import { HubError } from './hub_error.ts';

export interface PackageRef {
  group: string;
  name: string;
  version: string;
}

// Fluvio's allowed characters for group and name; versions are semver (tags allow no '+').
const PART = /^[a-z0-9][a-z0-9_-]*$/;
const SEMVER = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/;

export function partProblem(value: string, what: string): string | null {
  if (value === '') return `${what} is empty`;
  if (value.length > 63) return `${what} '${value}' is longer than 63 characters`;
  if (!PART.test(value)) return `${what} '${value}' must use lowercase letters, digits, '-' and '_'`;
  return null;
}

export function versionProblem(version: string): string | null {
  return SEMVER.test(version) ? null : `version '${version}' is not a semantic version like 1.0.0`;
}

/** True when `text` looks like a package name rather than a cluster SmartModule name. */
export function isPackageRef(text: string): boolean {
  return text.includes('/') && text.includes('@');
}

export function parsePackageRef(text: string): PackageRef {
  const m = /^([^/@]+)\/([^/@]+)@([^/@]+)$/.exec(text);
  if (!m) throw new HubError(`'${text}' is not a package name: expected group/name@version, e.g. acme/filter@0.1.0`);
  const [, group, name, version] = m;
  const problem = partProblem(group, 'group') ?? partProblem(name, 'name') ?? versionProblem(version);
  if (problem) throw new HubError(`'${text}' is not a package name: ${problem}`);
  return { group, name, version };
}

export function formatPackageRef(ref: PackageRef): string {
  return `${ref.group}/${ref.name}@${ref.version}`;
}

export function repositoryOf(ref: { group: string; name: string }): string {
  return `${ref.group}/${ref.name}`;
}
