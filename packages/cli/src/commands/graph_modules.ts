// Graph operator modules on the user's disk, for `eddy graph validate|apply|test`: given with
// --module NAME:VERSION=PATH, or found under --modules DIR. Each is compiled once to learn which
// operator types it provides (its graph_<type> exports).
import fs from 'node:fs/promises';
import fsSync from 'node:fs';
import path from 'node:path';
import { parseModuleRef } from '@eddy/protocol';
import { providedOperators } from '@eddy/dataflow';
import type { OperatorType } from '@eddy/dataflow';
import { CliError } from '../errors.ts';
import { nearest } from '../parse/edit_distance.ts';
import { readWasmFile } from './smartmodule.ts';

/** The slice of the WebAssembly global used here (the compile target's lib has no DOM types). */
const Wasm = (globalThis as unknown as {
  WebAssembly: {
    compile(bytes: Uint8Array): Promise<object>;
    Module: { exports(module: object): { name: string; kind: string }[] };
  };
}).WebAssembly;


export interface LocalModule {
  /** `name:version` */
  ref: string;
  name: string;
  version: string;
  file: string;
  wasm: Buffer;
  operators: ReadonlySet<OperatorType>;
}

/** --module NAME:VERSION=PATH, repeatable. */
export function parseModuleOption(text: string): { ref: string; name: string; version: string; file: string } {
  const eq = text.indexOf('=');
  const refText = eq < 0 ? '' : text.slice(0, eq);
  const file = eq < 0 ? '' : text.slice(eq + 1);
  const ref = parseModuleRef(refText);
  if (eq < 0 || file === '' || ref.version === null || ref.name === '' || ref.version === '') {
    throw new CliError(`--module '${text}' must be NAME:VERSION=PATH (e.g. temperature:1.0.0=./temperature.wasm)`);
  }
  return { ref: refText, name: ref.name, version: ref.version, file };
}

/** Candidate files for `name:version` under a --modules directory, most specific first. */
export function moduleCandidates(dir: string, name: string, version: string): string[] {
  return [
    path.join(dir, `${name}-${version}.wasm`),
    path.join(dir, name, 'build', `${name}.wasm`),
    path.join(dir, `${name}.wasm`),
  ];
}

async function exists(file: string): Promise<boolean> {
  try {
    return (await fs.stat(file)).isFile();
  } catch {
    return false;
  }
}

async function load(ref: string, name: string, version: string, file: string): Promise<LocalModule> {
  return moduleFromBytes(ref, name, version, file, await readWasmFile(file));
}

/** A module whose bytes are at hand (read from `file`, or fetched from the Hub into its cache at `file`). */
export async function moduleFromBytes(ref: string, name: string, version: string, file: string, wasm: Buffer): Promise<LocalModule> {
  let names: string[];
  try {
    names = Wasm.Module.exports(await Wasm.compile(wasm)).filter((e) => e.kind === 'function').map((e) => e.name);
  } catch (err) {
    throw new CliError(`module ${ref} ('${file}') is not valid WebAssembly: ${(err as Error).message}`);
  }
  return { ref, name, version, file, wasm, operators: providedOperators(names) };
}

/**
 * Finds and compiles the modules `refs` names. With neither option, finds nothing (the caller
 * skips module checks). Refs found nowhere are returned in `missing`.
 */
export async function findLocalModules(
  refs: readonly string[],
  opts: { module?: string[]; modules?: string },
): Promise<{ found: Map<string, LocalModule>; missing: string[] }> {
  const found = new Map<string, LocalModule>();
  const given = new Map<string, { ref: string; name: string; version: string; file: string }>();
  for (const text of opts.module ?? []) {
    const m = parseModuleOption(text);
    given.set(m.ref, m);
  }
  // Every --module is loaded (a bad file is an error even if the graph does not use it).
  for (const m of given.values()) found.set(m.ref, await load(m.ref, m.name, m.version, m.file));
  const missing: string[] = [];
  for (const ref of refs) {
    if (found.has(ref)) continue;
    const r = parseModuleRef(ref);
    let file: string | undefined;
    if (opts.modules !== undefined && r.version !== null) {
      for (const f of moduleCandidates(opts.modules, r.name, r.version)) {
        if (await exists(f)) { file = f; break; }
      }
    }
    if (file === undefined) missing.push(ref);
    else found.set(ref, await load(ref, r.name, r.version!, file));
  }
  return { found, missing };
}

/** `module x:1 not found in 'DIR' (looked for …)`, naming the nearest module file when one is close (a typo). */
export function missingModuleMessage(ref: string, dir: string): string {
  const r = parseModuleRef(ref);
  let files: string[];
  try {
    files = fsSync.readdirSync(dir);
  } catch {
    return `module ${ref}: cannot read the --modules directory '${dir}'`;
  }
  const looked = moduleCandidates(dir, r.name, r.version ?? '').map((f) => path.relative(dir, f)).join(', ');
  const near = nearest(r.name, files.map((f) => f.replace(/(-\d[^/]*)?\.wasm$/, '')));
  return `module ${ref} not found in '${dir}' (looked for ${looked})${near !== undefined ? `; did you mean '${near}'?` : ''}`;
}
