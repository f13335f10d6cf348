// The wasm a command runs or loads: --wasm-file as given, else the project's build output,
// (re)built first when it is missing or older than the sources.
import fs from 'node:fs';
import path from 'node:path';
import { compileProject } from './compile.ts';
import { SmdkError, fileProblem } from './errors.ts';
import { findProject, wasmPath, type Project } from './project.ts';
import { MANIFEST_FILE } from './manifest.ts';
import { locateSdk } from './sdk.ts';

export interface Artifact {
  /** Display name: the project's name, or the wasm file's base name. */
  name: string;
  wasm: Buffer;
  file: string;
  project: Project | null;
}

const WASM_MAGIC = 0x0061736d;

/** Reads a .wasm file, refusing anything without the `\0asm` header. */
export function readWasmFile(file: string): Buffer {
  let wasm: Buffer;
  try {
    wasm = fs.readFileSync(file);
  } catch (err) {
    throw new SmdkError(`cannot read wasm file '${file}': ${fileProblem(err)}`);
  }
  if (wasm.length < 8 || wasm.readUInt32BE(0) !== WASM_MAGIC) {
    throw new SmdkError(`'${file}' is not a WebAssembly module (no \\0asm header)`);
  }
  return wasm;
}

/** Newest modification time among the files a build reads (assembly/**, asconfig.json, SmartModule.toml). */
function newestSource(dir: string): number {
  let newest = 0;
  const visit = (p: string) => {
    let st: fs.Stats;
    try {
      st = fs.statSync(p);
    } catch {
      return;
    }
    if (st.isDirectory()) {
      for (const e of fs.readdirSync(p)) visit(path.join(p, e));
    } else if (st.mtimeMs > newest) newest = st.mtimeMs;
  };
  visit(path.join(dir, 'assembly'));
  visit(path.join(dir, 'asconfig.json'));
  visit(path.join(dir, MANIFEST_FILE));
  // A changed SDK (a checkout being worked on) changes the module too.
  const sdk = locateSdk();
  if (sdk) {
    visit(path.join(sdk.dir, 'assembly'));
    visit(path.join(sdk.dir, 'src', 'transform.js'));
  }
  return newest;
}

export function isStale(project: Project, target = 'release'): boolean {
  let built: number;
  try {
    built = fs.statSync(wasmPath(project, target)).mtimeMs;
  } catch {
    return true;
  }
  return newestSource(project.dir) > built;
}

export interface ResolveOptions {
  wasmFile?: string;
  projectDir?: string;
  /** Progress notes (to stderr: stdout carries the command's output). */
  log?: (line: string) => void;
}

export async function resolveArtifact(opts: ResolveOptions): Promise<Artifact> {
  if (opts.wasmFile) {
    const wasm = readWasmFile(opts.wasmFile);
    return { name: path.basename(opts.wasmFile).replace(/\.wasm$/i, ''), wasm, file: path.resolve(opts.wasmFile), project: null };
  }
  const project = findProject(opts.projectDir);
  if (isStale(project)) {
    opts.log?.(`Compiling ${project.name}...`);
    await compileProject(project);
  }
  const file = wasmPath(project);
  return { name: project.name, wasm: readWasmFile(file), file, project };
}
