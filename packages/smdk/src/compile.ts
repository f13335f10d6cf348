// Compiles a project's AssemblyScript to wasm with the AssemblyScript compiler, in process. The
// project's asconfig.json sets the flags (the SDK's template ships them); smdk picks the entry,
// the output file and where the SDK is found.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { CompileError, SmdkError } from './errors.ts';
import { wasmPath, type Project } from './project.ts';
import { SDK_PACKAGE, locateSdk } from './sdk.ts';

export const ASCONFIG_FILE = 'asconfig.json';

/** The SDK's abort handler: a module then imports nothing but `env.copy_records`. */
export const SDK_ABORT_HANDLER = '~lib/@eddy/smartmodule-sdk/assembly/abort/smartModuleAbort';

/**
 * Flags for a project without asconfig.json when the SDK does not say (it exports its own as
 * SDK_ASC_FLAGS from src/build.ts, which win): optimized, a collecting runtime (the SDK collects
 * after each call) so per-record
 * garbage is freed on long streams, and the SDK's abort handler.
 */
export const DEFAULT_ASC_FLAGS: readonly string[] = ['-O3', '--runtime', 'minimal', '--use', `abort=${SDK_ABORT_HANDLER}`];

/** The SDK's recommended asc flags, or DEFAULT_ASC_FLAGS. */
export async function sdkAscFlags(): Promise<readonly string[]> {
  const sdk = locateSdk();
  const file = sdk && path.join(sdk.dir, 'src', 'build.ts');
  if (!file || !fs.existsSync(file)) return DEFAULT_ASC_FLAGS;
  try {
    const mod = (await import(pathToFileURL(file).href)) as { SDK_ASC_FLAGS?: unknown };
    const flags = mod.SDK_ASC_FLAGS;
    if (Array.isArray(flags) && flags.every((f) => typeof f === 'string')) return flags as string[];
  } catch {
    // an SDK we cannot load (e.g. TypeScript inside node_modules): the defaults match it
  }
  return DEFAULT_ASC_FLAGS;
}

export interface CompileOptions {
  /** asconfig.json target; 'release' (the default) writes build/<name>.wasm. */
  target?: string;
}

export interface CompileResult {
  wasmFile: string;
  size: number;
  /** asc's warnings, if any (already formatted). */
  warnings: string;
}

interface Diagnostic {
  message: string;
  code: number;
  category: number;
  range: { start: number; source: { normalizedPath: string } | null } | null;
}

const ERROR_CATEGORY = 3;

/** Compiles `project` and returns where the wasm went; a failure is a CompileError. */
export async function compileProject(project: Project, opts: CompileOptions = {}): Promise<CompileResult> {
  const target = opts.target ?? 'release';
  if (!fs.existsSync(project.entry)) {
    throw new SmdkError(`${path.relative(process.cwd(), project.entry) || project.entry} is missing: a SmartModule project keeps its code in assembly/index.ts`);
  }
  const out = wasmPath(project, target);
  const rel = (p: string) => path.relative(project.dir, p).split(path.sep).join('/');
  const config = readAsconfig(project.dir);
  // asc adds the config's entries itself; naming the entry again would compile it twice.
  const args = config?.entries ? [] : [rel(project.entry)];
  args.push('--baseDir', project.dir, '--outFile', rel(out), '--noColors');
  if (config) args.push('--config', ASCONFIG_FILE, '--target', target);
  else args.push(...(await sdkAscFlags()));
  // The SDK's decorators (@filter, @map, ...): given here rather than in asconfig.json, where asc
  // would have to resolve the package before `npm install` has put it in node_modules.
  const transform = sdkTransform();
  if (transform && !args.includes(transform)) args.push('--transform', transform);
  const modules = sdkModulesDir(project);
  // Absolute: asc resolves a relative --path against the process's cwd, not --baseDir.
  if (modules) args.push('--path', modules);

  // The compiler is large: loaded only when a build actually runs.
  const { default: asc } = await import('assemblyscript/asc');
  const stdout = asc.createMemoryStream();
  const stderr = asc.createMemoryStream();
  const errors: Diagnostic[] = [];
  const result = await asc.main(args, {
    stdout,
    stderr,
    reportDiagnostic: (d) => {
      if (d.category === ERROR_CATEGORY) errors.push(d as Diagnostic);
    },
  });
  const report = stderr.toString().trim();
  if (result.error) {
    const first = errors[0];
    const where = first ? diagnosticLocation(project.dir, first) : '';
    const summary = first ? `${where ? where + ': ' : ''}${first.message.trim()}` : result.error.message;
    const count = errors.length > 1 ? ` (and ${errors.length - 1} more error${errors.length > 2 ? 's' : ''})` : '';
    throw new CompileError(`build of '${project.name}' failed: ${summary}${count}`, report);
  }
  let size: number;
  try {
    size = fs.statSync(out).size;
  } catch {
    throw new CompileError(`build of '${project.name}' produced no ${rel(out)}`, report);
  }
  return { wasmFile: out, size, warnings: report };
}

/** The SDK's compiler transform (src/transform.js), absolute, or null for an SDK without one. */
export function sdkTransform(): string | null {
  const sdk = locateSdk();
  const file = sdk && path.join(sdk.dir, 'src', 'transform.js');
  return file && fs.existsSync(file) ? file : null;
}

/** The project's asconfig.json, or null; invalid JSON is the user's error to fix. */
function readAsconfig(dir: string): { entries?: unknown } | null {
  const file = path.join(dir, ASCONFIG_FILE);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  try {
    const v = JSON.parse(text) as unknown;
    if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Error('not an object');
    return v as { entries?: unknown };
  } catch (err) {
    throw new SmdkError(`${file} is not valid: ${(err as Error).message}`);
  }
}

/** `assembly/index.ts(3,7)` for a diagnostic in one of the project's files. */
function diagnosticLocation(dir: string, d: Diagnostic): string {
  const source = d.range?.source?.normalizedPath;
  if (!source) return '';
  if (source.startsWith('~lib/')) return source;
  try {
    const text = fs.readFileSync(path.join(dir, source), 'utf8');
    // past the end: the exports the SDK's transform appended for a decorated function
    if (d.range!.start >= text.length) return `${source} (the exports generated for its @decorated function)`;
    const before = text.slice(0, d.range!.start);
    const line = before.split('\n').length;
    const col = d.range!.start - before.lastIndexOf('\n');
    return `${source}(${line},${col})`;
  } catch {
    return source;
  }
}

/**
 * A directory asc can search like node_modules for the SDK (its --path option), so a project
 * builds before (or without) `npm install`. A project's own node_modules still wins: asc looks
 * there first.
 */
function sdkModulesDir(project: Project): string | null {
  const sdk = locateSdk();
  if (!sdk) return null;
  if (sdk.modulesDir) return sdk.modulesDir;
  // The SDK is not inside a node_modules (SMDK_SDK_PATH, or a bare checkout): link it into one.
  const modules = path.join(project.dir, 'build', '.modules');
  const link = path.join(modules, ...SDK_PACKAGE.split('/'));
  fs.mkdirSync(path.dirname(link), { recursive: true });
  let current: string | null = null;
  try {
    current = fs.readlinkSync(link);
  } catch {
    // absent
  }
  if (current !== sdk.dir) {
    fs.rmSync(link, { force: true, recursive: true });
    fs.symlinkSync(sdk.dir, link, 'dir');
  }
  return modules;
}
