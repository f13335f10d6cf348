// A SmartModule project on disk: the directory holding SmartModule.toml, its AssemblyScript entry
// and where `smdk build` puts the wasm (build/<name>.wasm).
import fs from 'node:fs';
import path from 'node:path';
import { SmdkError } from './errors.ts';
import { MANIFEST_FILE, readManifest, type SmartModuleManifest } from './manifest.ts';

export const ENTRY_FILE = path.join('assembly', 'index.ts');
export const BUILD_DIR = 'build';

export interface Project {
  dir: string;
  manifest: SmartModuleManifest;
  name: string;
  /** The AssemblyScript entry, absolute. */
  entry: string;
}

/** Where a build for `target` ('release' or another asconfig target) is written. */
export function wasmPath(project: Project, target = 'release'): string {
  const file = target === 'release' ? `${project.name}.wasm` : `${project.name}.${target}.wasm`;
  return path.join(project.dir, BUILD_DIR, file);
}

/**
 * The project containing `start` (default: the working directory): the nearest directory at or
 * above it with a SmartModule.toml.
 */
export function findProject(start: string = process.cwd()): Project {
  const from = path.resolve(start);
  if (!fs.existsSync(from)) throw new SmdkError(`project directory '${start}' does not exist`);
  let dir = from;
  while (true) {
    if (fs.existsSync(path.join(dir, MANIFEST_FILE))) return openProject(dir);
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new SmdkError(`no SmartModule project in ${from} or its parents (no ${MANIFEST_FILE}; create one with 'smdk generate NAME')`);
}

export function openProject(dir: string): Project {
  const manifest = readManifest(dir);
  return { dir, manifest, name: manifest.package.name, entry: path.join(dir, ENTRY_FILE) };
}
