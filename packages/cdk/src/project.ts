import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import YAML from 'yaml';

/** A connector project: a directory whose package.json has a `bin`. */
export interface Project {
  dir: string;
  /** Binary name → absolute path of its entry file. */
  bins: Map<string, string>;
}

export class CdkError extends Error {
  override name = 'CdkError';
}

export function loadProject(dir: string): Project {
  const pkgFile = join(dir, 'package.json');
  if (!existsSync(pkgFile)) throw new CdkError(`no package.json in ${resolve(dir)} (run cdk in a connector project, or give --bin)`);
  const pkg = JSON.parse(readFileSync(pkgFile, 'utf8')) as { name?: string; bin?: string | Record<string, string> };
  const bins = new Map<string, string>();
  if (typeof pkg.bin === 'string') bins.set(String(pkg.name ?? 'connector').replace(/^@[^/]+\//, ''), resolve(dir, pkg.bin));
  else for (const [k, v] of Object.entries(pkg.bin ?? {})) bins.set(k, resolve(dir, v));
  if (bins.size === 0) throw new CdkError(`${pkgFile} declares no bin (the connector's entry point)`);
  return { dir: resolve(dir), bins };
}

/** The entry file to run for a connector type: --bin wins, then the bin named like `type`, then the only bin. */
export function binFor(project: Project | null, type: string | undefined, explicit: string | undefined): string {
  if (explicit !== undefined) return resolve(explicit);
  if (project === null) throw new CdkError('give --bin FILE or run cdk in a connector project');
  if (type !== undefined && project.bins.has(type)) return project.bins.get(type)!;
  if (project.bins.size === 1) return [...project.bins.values()][0];
  throw new CdkError(`the project has several bins (${[...project.bins.keys()].join(', ')}); none is named '${type}' (meta.type); give --bin`);
}

/** meta.name and meta.type of a connector config (the deployment's identity). */
export function configIdentity(file: string): { name: string; type: string | undefined } {
  let doc: { meta?: { name?: unknown; type?: unknown } };
  try {
    doc = YAML.parse(readFileSync(file, 'utf8')) ?? {};
  } catch (err) {
    throw new CdkError(`cannot read config '${file}': ${(err as NodeJS.ErrnoException).code ?? (err as Error).message.split('\n')[0]}`);
  }
  const name = doc.meta?.name;
  if (typeof name !== 'string' || !/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(name)) throw new CdkError(`${file}: meta.name must be a connector name (lowercase letters, digits, dashes)`);
  return { name, type: typeof doc.meta?.type === 'string' ? doc.meta.type : undefined };
}
