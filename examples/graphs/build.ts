// Compiles every example graph module (modules/<name>/assembly/index.ts) to
// modules/<name>/build/<name>.wasm. Run: npx node examples/graphs/build.ts [name...]
import { readdirSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SDK_DIR, TRANSFORM_FILE, buildIfStale, buildSmartModule, type BuildResult } from '@eddy/smartmodule-sdk/build';

export const GRAPHS_DIR = path.dirname(fileURLToPath(import.meta.url));
export const MODULES_DIR = path.join(GRAPHS_DIR, 'modules');
/** AssemblyScript several modules import (the sensor data model); not a module itself. */
export const SHARED_DIR = path.join(GRAPHS_DIR, 'shared', 'assembly');

/** Names of the example graph modules. */
export function moduleNames(): string[] {
  return readdirSync(MODULES_DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(path.join(MODULES_DIR, d.name, 'assembly', 'index.ts')))
    .map((d) => d.name)
    .sort();
}

/** Where module `name`'s .wasm is built. */
export function modulePath(name: string): string {
  return path.join(MODULES_DIR, name, 'build', `${name}.wasm`);
}

/** What a module is built from: its own sources, the shared data model, the SDK. */
function moduleSources(name: string): string[] {
  return [path.join(MODULES_DIR, name, 'assembly'), SHARED_DIR, path.join(SDK_DIR, 'assembly'), TRANSFORM_FILE];
}

/** The compiled module, built now when missing or older than its sources or the SDK. */
export async function moduleWasm(name: string): Promise<Uint8Array> {
  if (!existsSync(path.join(MODULES_DIR, name, 'assembly', 'index.ts'))) {
    throw new Error(`no graph module named "${name}" in ${MODULES_DIR}`);
  }
  return (await buildIfStale({ projectDir: path.join(MODULES_DIR, name), sources: [...moduleSources(name)] })).wasm;
}

/** Compiles the named modules (all when none are named), one after another in this process. */
export async function buildModules(names: readonly string[] = moduleNames()): Promise<BuildResult[]> {
  const results: BuildResult[] = [];
  for (const name of names) {
    if (!existsSync(path.join(MODULES_DIR, name, 'assembly', 'index.ts'))) {
      throw new Error(`no graph module named "${name}" in ${MODULES_DIR}`);
    }
    results.push(await buildSmartModule({ projectDir: path.join(MODULES_DIR, name) }));
  }
  return results;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const started = performance.now();
  const named = process.argv.slice(2);
  const results = await buildModules(named.length > 0 ? named : moduleNames());
  for (const r of results) {
    console.log(`${path.relative(process.cwd(), r.outFile)}  ${r.wasm.length} bytes  ${Math.round(r.durationMs)} ms`);
  }
  console.log(`built ${results.length} graph modules in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}
