// A graph definition's module reference, Azure-style (`[host[:port]/][namespace/…]group/name:version`,
// e.g. `azure-samples/explore-iot-operations/temperature:1.0.0`), read as a Hub package name.
// The Hub's groups are flat, so the segment just before the module's name is the group and any
// earlier namespace segments are not part of the name; a first segment that is a host (it has a
// '.' or a ':' or is `localhost`) names the registry to fetch from (http for localhost and
// 127.0.0.1, as docker allows them insecure; https otherwise). `group/name@version` is
// accepted too. A bare `name:version` is no Hub reference (the cluster's own registry name).
import { HubError } from './hub_error.ts';
import { isPackageRef, parsePackageRef, partProblem, versionProblem, type PackageRef } from './package_ref.ts';

export interface ModuleReference {
  /** The registry the reference names (`http://host:port`), or null: use the configured one. */
  registry: string | null;
  ref: PackageRef;
}

const looksLikeHost = (segment: string) => segment === 'localhost' || segment.includes('.') || segment.includes(':');

/** The Hub package a reference names; null for a bare `name:version` (no group), throws on a malformed one. */
export function hubRefOfModuleReference(text: string): ModuleReference | null {
  if (isPackageRef(text) && !text.includes(':')) return { registry: null, ref: parsePackageRef(text) };
  const colon = text.lastIndexOf(':');
  const slash = text.lastIndexOf('/');
  if (colon < 0 || colon < slash || slash < 0) return null;
  const version = text.slice(colon + 1);
  const segments = text.slice(0, colon).split('/');
  let registry: string | null = null;
  if (segments.length >= 3 && looksLikeHost(segments[0])) {
    const host = segments.shift()!;
    registry = `${/^(localhost|127\.0\.0\.1)(:\d+)?$/.test(host) ? 'http' : 'https'}://${host}`;
  }
  const name = segments[segments.length - 1];
  const group = segments[segments.length - 2];
  const problem = partProblem(group, 'group') ?? partProblem(name, 'name') ?? versionProblem(version);
  if (problem) throw new HubError(`module reference '${text}' does not name a Hub package: ${problem}`);
  return { registry, ref: { group, name, version } };
}
