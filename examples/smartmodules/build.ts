// Compiles every example SmartModule (each folder with assembly/index.ts) to
// <example>/build/<example>.wasm. Run: npx node examples/smartmodules/build.ts [name...]
import { readdirSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildIfStale, buildSmartModule, type BuildResult } from '@eddy/smartmodule-sdk/build';

export const EXAMPLES_DIR = path.dirname(fileURLToPath(import.meta.url));

/** Names of the example projects. */
export function exampleNames(): string[] {
  return readdirSync(EXAMPLES_DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(path.join(EXAMPLES_DIR, d.name, 'assembly', 'index.ts')))
    .map((d) => d.name)
    .sort();
}

/** The compiled example, built now when missing or older than its sources or the SDK. */
export async function exampleWasm(name: string): Promise<Uint8Array> {
  const result = await buildIfStale({ projectDir: path.join(EXAMPLES_DIR, name) });
  return result.wasm;
}

/** Compiles the named examples (all when none are named), one after another in this process. */
export async function buildExamples(names: readonly string[] = exampleNames()): Promise<BuildResult[]> {
  const results: BuildResult[] = [];
  for (const name of names) {
    if (!existsSync(path.join(EXAMPLES_DIR, name, 'assembly', 'index.ts'))) {
      throw new Error(`no example named "${name}" in ${EXAMPLES_DIR}`);
    }
    results.push(await buildSmartModule({ projectDir: path.join(EXAMPLES_DIR, name) }));
  }
  return results;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const started = performance.now();
  const named = process.argv.slice(2);
  const results = await buildExamples(named.length > 0 ? named : exampleNames());
  for (const r of results) {
    console.log(`${path.relative(process.cwd(), r.outFile)}  ${r.wasm.length} bytes  ${Math.round(r.durationMs)} ms`);
  }
  console.log(`built ${results.length} SmartModules in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}
