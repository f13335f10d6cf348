// `smdk generate`: a new SmartModule project from the SDK's template for the chosen type. The SDK
// owns the author's code (templates/<type>/assembly/index.ts and whatever else it ships); smdk
// adds what every project needs and the template left out (SmartModule.toml, package.json,
// asconfig.json, a test, README, .gitignore). The project is written to a temporary sibling and
// renamed into place, so a failure never leaves half a project behind.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { EDDY_VERSION } from '@eddy/protocol';
import { SmdkError } from './errors.ts';
import { defaultManifest, formatManifest, MANIFEST_FILE, nameProblem, type ManifestParam } from './manifest.ts';
import { ENTRY_FILE, BUILD_DIR } from './project.ts';
import { SCAFFOLD_EXAMPLES, exampleArgs, type ScaffoldExample } from './scaffold_examples.ts';
import { requireSdk, SDK_PACKAGE, type SdkLocation } from './sdk.ts';
import { ASCONFIG_FILE, SDK_ABORT_HANDLER } from './compile.ts';

export const SM_TYPES = ['filter', 'map', 'filter-map', 'array-map', 'aggregate'] as const;
export type SmType = (typeof SM_TYPES)[number];

export interface GenerateOptions {
  name: string;
  smType: SmType;
  withParams: boolean;
  /** Parent directory of the new project (default: the working directory). */
  destination?: string;
  group?: string;
  description?: string;
}

export interface GenerateResult {
  dir: string;
  /** The hub group recorded in SmartModule.toml ('' when none was known). */
  group: string;
  files: string[];
  sdk: SdkLocation;
}

/** Template variables, written `{{name}}` in template files. */
export interface TemplateVars {
  'project-name': string;
  'project-description': string;
  'project-group': string;
  'sm-type': SmType;
  'sm-params': 'true' | 'false';
  'sdk-version': string;
  'sdk-dependency': string;
  'assemblyscript-version': string;
}

/** The template directory for a type: templates/<type>-params (or -with-params) for --with-params, else templates/<type>. */
export function templateDir(sdk: SdkLocation, smType: SmType, withParams: boolean): string {
  const root = path.join(sdk.dir, 'templates');
  const candidates = withParams ? [`${smType}-params`, `${smType}-with-params`, path.join('with-params', smType)] : [smType];
  for (const c of candidates) {
    const dir = path.join(root, c);
    if (fs.existsSync(path.join(dir, ENTRY_FILE))) return dir;
  }
  throw new SmdkError(
    `the SmartModule SDK at ${sdk.dir} has no ${withParams ? 'with-params ' : ''}template for '${smType}' (looked for templates/${candidates[0]}/${ENTRY_FILE.split(path.sep).join('/')})`,
  );
}

export function parseSmType(text: string): SmType {
  const t = text.trim().toLowerCase().replace(/_/g, '-');
  if ((SM_TYPES as readonly string[]).includes(t)) return t as SmType;
  throw new SmdkError(`unknown SmartModule type '${text}': choose one of ${SM_TYPES.join(', ')}`);
}

function assemblyScriptVersion(): string {
  try {
    const require = createRequire(import.meta.url);
    const pkg = require('assemblyscript/package.json') as { version: string };
    return pkg.version;
  } catch {
    return '0.28.20';
  }
}

export function substitute(text: string, vars: TemplateVars): string {
  return text.replace(/\{\{\s*([a-z-]+)\s*\}\}/g, (whole, key: string) => (key in vars ? vars[key as keyof TemplateVars] : whole));
}

/** Every file under `dir`, as paths relative to it. */
function listFiles(dir: string, rel = ''): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    const r = path.join(rel, e.name);
    if (e.isDirectory()) {
      if (e.name === 'node_modules' || e.name === BUILD_DIR) continue;
      out.push(...listFiles(dir, r));
    } else if (e.isFile()) out.push(r);
  }
  return out;
}

export function generateProject(opts: GenerateOptions): GenerateResult {
  const problem = nameProblem(opts.name);
  if (problem) throw new SmdkError(`invalid project name: ${problem}`);
  const parent = path.resolve(opts.destination ?? '.');
  const dir = path.join(parent, opts.name);
  if (fs.existsSync(dir)) throw new SmdkError(`'${dir}' already exists; choose another name or --destination (smdk never overwrites a directory)`);
  if (fs.existsSync(parent) && !fs.statSync(parent).isDirectory()) throw new SmdkError(`destination '${parent}' is not a directory`);

  const sdk = requireSdk();
  const tdir = templateDir(sdk, opts.smType, opts.withParams);
  const ascVersion = assemblyScriptVersion();
  const vars: TemplateVars = {
    'project-name': opts.name,
    'project-description': opts.description ?? `A ${opts.smType} SmartModule`,
    'project-group': opts.group ?? '',
    'sm-type': opts.smType,
    'sm-params': opts.withParams ? 'true' : 'false',
    'sdk-version': sdk.version,
    'sdk-dependency': sdk.inRepo ? `file:${sdk.dir}` : `^${sdk.version}`,
    'assemblyscript-version': ascVersion,
  };

  // Template files first (a `.tmpl` suffix is dropped: it keeps tools from reading template
  // package.json files as real ones), then smdk's defaults for what the template left out.
  const files = new Map<string, string>();
  for (const rel of listFiles(tdir)) {
    const target = rel.endsWith('.tmpl') ? rel.slice(0, -'.tmpl'.length) : rel;
    files.set(target.split(path.sep).join('/'), substitute(fs.readFileSync(path.join(tdir, rel), 'utf8'), vars));
  }
  const example: ScaffoldExample = SCAFFOLD_EXAMPLES[opts.smType][opts.withParams ? 'params' : 'plain'];
  const params: ManifestParam[] = opts.withParams ? paramsDeclaredBy(files.get('assembly/index.ts') ?? '') : [];
  const defaults: Record<string, () => string> = {
    [MANIFEST_FILE]: () => formatManifest(defaultManifest(opts.name, { group: vars['project-group'], description: vars['project-description'], params })),
    'package.json': () => packageJson(vars, sdk),
    [ASCONFIG_FILE]: () => ascConfig(opts.name),
    '.gitignore': () => 'node_modules/\nbuild/\n',
    'README.md': () => readme(vars, opts.withParams, example),
  };
  if (![...files.keys()].some((f) => f.startsWith('test/'))) {
    defaults['test/smartmodule.test.mjs'] = () => projectTest(opts.name, example);
  }
  for (const [file, make] of Object.entries(defaults)) if (!files.has(file)) files.set(file, make());

  fs.mkdirSync(parent, { recursive: true });
  const staging = fs.mkdtempSync(path.join(parent, `.${opts.name}.smdk-`));
  try {
    for (const [rel, text] of files) {
      const p = path.join(staging, rel);
      fs.mkdirSync(path.dirname(p), { recursive: true });
      fs.writeFileSync(p, text);
    }
    fs.renameSync(staging, dir);
  } catch (err) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw err;
  }
  return { dir, group: vars['project-group'], files: [...files.keys()].sort(), sdk };
}

/** Parameter names the template reads (`params.get("x")`, `params.getOr("x", ..)`, `params.has("x")`), for SmartModule.toml. */
function paramsDeclaredBy(source: string): ManifestParam[] {
  const names = new Set<string>();
  for (const m of source.matchAll(/\bparams\(?\)?\.(?:get|getOr|has)\(\s*"([^"]+)"/g)) names.add(m[1]);
  return [...names].map((name) => ({ name, description: `the '${name}' parameter (-e ${name}=...)` }));
}

function packageJson(vars: TemplateVars, sdk: SdkLocation): string {
  const smdkDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const pkg: Record<string, unknown> = {
    name: vars['project-name'],
    version: '0.1.0', // the new module's own version, not Eddy's (EDDY_VERSION)
    description: vars['project-description'],
    private: true,
    type: 'module',
    scripts: {
      build: 'smdk build',
      test: 'node --test test/',
      'smdk:test': 'smdk test',
      // the SDK's transform is named here, not in asconfig.json: asc resolves a transform named
      // there while loading the file, which fails before `npm install` (smdk build adds it itself)
      asbuild: 'asc --config asconfig.json --target release --transform @eddy/smartmodule-sdk/transform',
    },
    dependencies: { [SDK_PACKAGE]: vars['sdk-dependency'] },
    devDependencies: {
      '@eddy/smdk': sdk.inRepo ? `file:${smdkDir}` : `^${EDDY_VERSION}`, // smdk is released at the product version
      assemblyscript: `^${vars['assemblyscript-version']}`,
    },
  };
  if (sdk.inRepo) {
    pkg['//'] = `${SDK_PACKAGE} and @eddy/smdk are not on npm yet: these file: paths point at the Eddy checkout that generated this project. Replace them with versions once they are published.`;
  }
  return JSON.stringify(pkg, null, 2) + '\n';
}

/**
 * The SDK's build settings (see DEFAULT_ASC_FLAGS), so `npm run asbuild` after `npm install`
 * builds what `smdk build` builds (the script adds the SDK's transform).
 */
function ascConfig(name: string): string {
  const config = {
    entries: [ENTRY_FILE.split(path.sep).join('/')],
    targets: {
      release: { outFile: `build/${name}.wasm`, optimizeLevel: 3, shrinkLevel: 0 },
      debug: { outFile: `build/${name}.debug.wasm`, debug: true },
    },
    options: { runtime: 'minimal', use: [`abort=${SDK_ABORT_HANDLER}`] },
  };
  return JSON.stringify(config, null, 2) + '\n';
}

function readme(vars: TemplateVars, withParams: boolean, ex: ScaffoldExample): string {
  const args = exampleArgs(ex).map((a) => (a.includes('=') ? `'${a}'` : a));
  return `# ${vars['project-name']}

${vars['project-description']}. Generated by \`smdk generate\` (${vars['sm-type']}${withParams ? ', with params' : ''}).

Your code is in \`assembly/index.ts\` (AssemblyScript, using ${SDK_PACKAGE}).

\`\`\`sh
smdk build                                     # -> build/${vars['project-name']}.wasm
smdk test --text '${ex.input[0]}'${args.length ? ' ' + args.join(' ') : ''}
smdk load                                      # register it on the current profile's cluster
eddy consume my-topic -B -d --smartmodule ${vars['project-name']}
\`\`\`

\`npm test\` runs \`test/\` (it calls \`smdk test\`).

## Publishing to the Hub

\`smdk publish\` packs, signs and pushes it as \`${vars['project-group'] || 'GROUP'}/${vars['project-name']}@VERSION\`. ${
    vars['project-group']
      ? `The group (\`package.group\` in ${MANIFEST_FILE}) is \`${vars['project-group']}\`, your \`eddy hub login\` owner when generated; change it there.`
      : `\`package.group\` in ${MANIFEST_FILE} is empty: set it, or run \`eddy hub login --owner NAME\` and publish uses that owner (or, failing that, the npm scope of package.json's name).`
  }
`;
}

function projectTest(name: string, example: ScaffoldExample): string {
  return `// Runs the module in the Eddy engine through \`smdk test\` and checks the scaffold's behaviour.
// Change the expectations when you change assembly/index.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SMDK = process.env.SMDK ?? 'smdk';

function smdkTest(lines, extra = []) {
  const dir = mkdtempSync(join(tmpdir(), '${name}-'));
  try {
    const file = join(dir, 'input.txt');
    writeFileSync(file, lines.join('\\n') + '\\n');
    const r = spawnSync(SMDK, ['test', '--file', file, ...extra], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout.split('\\n').slice(0, -1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('${name} transforms the sample records', () => {
  assert.deepEqual(smdkTest(${JSON.stringify(example.input)}, ${JSON.stringify(exampleArgs(example))}), ${JSON.stringify(example.output)});
});
`;
}
