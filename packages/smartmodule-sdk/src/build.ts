// Compiles an AssemblyScript SmartModule project to an optimized .wasm with the SDK's
// settings. Used by the examples' build script and meant for `smdk build`.
import { readFileSync } from 'node:fs';
import { mkdir, rename, symlink, writeFile, readFile, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** This package's directory (where index.ts and assembly/ live). */
export const SDK_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Where the SDK's abort handler is, so modules import nothing but `env.copy_records`. */
export const ABORT_HANDLER = '~lib/@eddy/smartmodule-sdk/assembly/abort/smartModuleAbort';

/**
 * The SDK's compiler transform (plain JavaScript, so any asc loads it): `@filter`, `@map`, ...
 * on a plain function become the ABI exports. Absolute, so it loads in projects that have not
 * installed the SDK; by package name it is `@eddy/smartmodule-sdk/transform`.
 */
export const TRANSFORM_FILE = path.join(SDK_DIR, 'src', 'transform.js');

/**
 * asc flags every SmartModule is built with:
 * - `-O3`: full binaryen optimization (a module compiles in about two seconds);
 * - `--runtime minimal`: a real GC without a shadow stack (each call ~15% cheaper than on the
 *   incremental runtime); the SDK collects after each call's output is handed over
 *   (assembly/collect.ts), so strings and objects an author's function makes per record are
 *   freed while a stream runs (the stub runtime never frees, so a long stream would hit the
 *   instance's memory cap); the SDK's own per-record path allocates nothing;
 * - `--use abort=...`: the SDK's abort handler instead of an `env.abort` import;
 * - `--transform ...`: the decorators (a module without them is left as it is).
 */
export const SDK_ASC_FLAGS: readonly string[] = ['-O3', '--runtime', 'minimal', '--use', `abort=${ABORT_HANDLER}`, '--transform', TRANSFORM_FILE];

export interface BuildOptions {
  /** The project directory (holds assembly/index.ts and usually package.json). */
  projectDir: string;
  /** Entry file relative to projectDir. Default `assembly/index.ts`. */
  entry?: string;
  /** Output .wasm path (relative to projectDir or absolute). Default `build/<dir name>.wasm`. */
  outFile?: string;
  /** Also write the text format next to the .wasm (`.wat`). */
  wat?: boolean;
  /** More asc arguments, after the SDK's. */
  extraArgs?: readonly string[];
}

export interface BuildResult {
  outFile: string;
  wasm: Uint8Array<ArrayBuffer>;
  durationMs: number;
}

export class SmartModuleBuildError extends Error {
  readonly diagnostics: string;
  constructor(message: string, diagnostics: string) {
    super(diagnostics ? `${message}\n${diagnostics}` : message);
    this.name = 'SmartModuleBuildError';
    this.diagnostics = diagnostics;
  }
}

let sdkPathDir: Promise<string> | null = null;

/**
 * A directory laid out like node_modules holding `@eddy/smartmodule-sdk` (a link to this
 * package), handed to asc as `--path`: a project that has not installed the SDK (for
 * instance one `smdk generate` just made) still resolves it. An installed copy wins.
 */
function sdkPackagePath(): Promise<string> {
  sdkPathDir ??= (async () => {
    const parent = path.dirname(SDK_DIR);
    if (path.basename(parent) === '@eddy') return path.dirname(parent);
    const dir = path.join(os.tmpdir(), `eddy-smartmodule-sdk-path-${process.getuid?.() ?? 0}`);
    const link = path.join(dir, '@eddy', 'smartmodule-sdk');
    await mkdir(path.dirname(link), { recursive: true });
    try {
      await symlink(SDK_DIR, link, 'dir');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    return dir;
  })();
  return sdkPathDir;
}

class Collect {
  text = '';
  write(chunk: Uint8Array | string): void {
    this.text += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
  }
}

const ERROR_CATEGORY = 3;

interface Diagnostic {
  message: string;
  category: number;
  range: { start: number; source: { normalizedPath: string } | null } | null;
}

/** `assembly/index.ts(3,1): message` for a diagnostic in one of the project's files. */
function formatDiagnostic(projectDir: string, d: Diagnostic): string {
  const file = d.range?.source?.normalizedPath;
  if (!file || !d.range) return d.message.trim();
  let where = file;
  if (!file.startsWith('~lib/')) {
    try {
      const text = readFileSync(path.join(projectDir, file), 'utf8');
      const before = text.slice(0, d.range.start);
      // past the end: the exports the transform appended for a decorated function
      if (d.range.start >= text.length) return `${file} (the exports generated for its @decorated function): ${d.message.trim()}`;
      where = `${file}(${before.split('\n').length},${d.range.start - before.lastIndexOf('\n')})`;
    } catch {
      // keep the bare path
    }
  }
  return `${where}: ${d.message.trim()}`;
}

/** Compiles one SmartModule project. Rejects with SmartModuleBuildError on compile errors. */
export async function buildSmartModule(opts: BuildOptions): Promise<BuildResult> {
  const started = performance.now();
  const projectDir = path.resolve(opts.projectDir);
  const entry = opts.entry ?? 'assembly/index.ts';
  const outFile = path.resolve(projectDir, opts.outFile ?? path.join('build', `${path.basename(projectDir)}.wasm`));
  try {
    await stat(path.join(projectDir, entry));
  } catch {
    throw new SmartModuleBuildError(`no entry file ${path.join(projectDir, entry)}`, '');
  }
  const { default: asc } = await import('assemblyscript/asc');
  const stdout = new Collect();
  const stderr = new Collect();
  const outputs = new Map<string, Uint8Array | string>();
  const args = [
    entry,
    '--baseDir', projectDir,
    '--outFile', outFile,
    ...(opts.wat ? ['--textFile', outFile.replace(/\.wasm$/, '') + '.wat'] : []),
    '--path', await sdkPackagePath(),
    ...SDK_ASC_FLAGS,
    ...(opts.extraArgs ?? []),
  ];
  let firstError = '';
  const result = await asc.main(args, {
    stdout,
    stderr,
    writeFile: (name: string, contents: Uint8Array | string, baseDir: string) => {
      outputs.set(path.resolve(baseDir, name), contents);
    },
    reportDiagnostic: (d) => {
      if (d.category === ERROR_CATEGORY && !firstError) firstError = formatDiagnostic(projectDir, d);
    },
  });
  if (result.error) {
    throw new SmartModuleBuildError(`asc failed to compile ${path.join(projectDir, entry)}${firstError ? `: ${firstError}` : ''}`, stderr.text.trim());
  }
  const wasm = outputs.get(outFile);
  if (!(wasm instanceof Uint8Array)) throw new SmartModuleBuildError(`asc wrote no ${outFile}`, stderr.text.trim());
  for (const [file, contents] of outputs) {
    // write then rename, so a concurrent buildIfStale never reads a half-written file
    await mkdir(path.dirname(file), { recursive: true });
    const temp = `${file}.${process.pid}.tmp`;
    await writeFile(temp, contents);
    await rename(temp, file);
  }
  return { outFile, wasm: new Uint8Array(wasm), durationMs: performance.now() - started };
}

/** Reads a built module, building it first when the .wasm is missing or older than its sources. */
export async function buildIfStale(opts: BuildOptions & { sources?: readonly string[] }): Promise<BuildResult> {
  const projectDir = path.resolve(opts.projectDir);
  const outFile = path.resolve(projectDir, opts.outFile ?? path.join('build', `${path.basename(projectDir)}.wasm`));
  const sources = opts.sources ?? [path.join(projectDir, 'assembly'), path.join(SDK_DIR, 'assembly'), TRANSFORM_FILE];
  try {
    const built = (await stat(outFile)).mtimeMs;
    if ((await newestMtime(sources)) < built) {
      return { outFile, wasm: new Uint8Array(await readFile(outFile)), durationMs: 0 };
    }
  } catch {
    // not built yet
  }
  return buildSmartModule(opts);
}

async function newestMtime(paths: readonly string[]): Promise<number> {
  const { readdir } = await import('node:fs/promises');
  let newest = 0;
  for (const p of paths) {
    const s = await stat(p);
    if (s.isDirectory()) {
      const entries = await readdir(p, { recursive: true });
      for (const e of entries) {
        const es = await stat(path.join(p, e));
        if (es.mtimeMs > newest) newest = es.mtimeMs;
      }
    } else if (s.mtimeMs > newest) {
      newest = s.mtimeMs;
    }
  }
  return newest;
}
