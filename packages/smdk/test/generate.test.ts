// Every scaffold `smdk generate` makes builds without edits and behaves as its README says.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { lines, runNode, runSmdk, REPO_ROOT } from './run_smdk.ts';
import { SCAFFOLD_EXAMPLES, exampleArgs } from '../src/scaffold_examples.ts';
import { SM_TYPES, type SmType } from '../src/generate.ts';
import { parseManifest } from '../src/manifest.ts';

let tmp: string;

before(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'smdk-generate-'));
});
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Runs `jobs` at most two at a time (asc is CPU-bound; the machine is shared). */
async function twoAtATime<T>(jobs: Array<() => Promise<T>>): Promise<T[]> {
  const out: T[] = new Array(jobs.length);
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const i = next++;
      out[i] = await jobs[i]();
    }
  };
  await Promise.all([worker(), worker()]);
  return out;
}

/** `target` 'debug' skips binaryen's optimizer: the same code, compiled in half the time. */
async function generateAndBuild(smType: SmType, withParams: boolean, target = 'release'): Promise<string> {
  const name = `my-${smType}${withParams ? '-params' : ''}`;
  const gen = await runSmdk(['generate', name, '--sm-type', smType, ...(withParams ? ['--with-params'] : []), '--destination', tmp], { cwd: os.tmpdir() });
  assert.equal(gen.code, 0, gen.stderr);
  const dir = path.join(tmp, name);
  const build = await runSmdk(['build', ...(target === 'release' ? [] : ['--target', target])], { cwd: dir });
  assert.equal(build.code, 0, `${name}: ${build.stderr}`);
  const file = target === 'release' ? `${name}.wasm` : `${name}.${target}.wasm`;
  assert.match(build.stdout, new RegExp(`^Built ${name}: build/${file.replace(/\./g, '\\.')} \\(`));
  return dir;
}

test('each type generates, builds without edits and does what the scaffold says', async () => {
  const dirs = await twoAtATime(SM_TYPES.map((t) => () => generateAndBuild(t, false)));
  const results = await twoAtATime(
    SM_TYPES.map((t, i) => () => runSmdk(['test', '--stdin'], { cwd: dirs[i], input: SCAFFOLD_EXAMPLES[t].plain.input.join('\n') + '\n' })),
  );
  SM_TYPES.forEach((t, i) => {
    assert.equal(results[i].code, 0, `${t}: ${results[i].stderr}`);
    assert.deepEqual(lines(results[i].stdout), SCAFFOLD_EXAMPLES[t].plain.output, t);
  });

  // the project's files, and its own test (run as `npm test` would, with smdk on PATH)
  const filterDir = dirs[0];
  for (const f of ['SmartModule.toml', 'package.json', 'asconfig.json', 'assembly/index.ts', 'README.md', '.gitignore']) {
    assert.ok(fs.existsSync(path.join(filterDir, f)), f);
  }
  const manifest = parseManifest(fs.readFileSync(path.join(filterDir, 'SmartModule.toml'), 'utf8'));
  assert.equal(manifest.package.name, 'my-filter');
  const pkg = JSON.parse(fs.readFileSync(path.join(filterDir, 'package.json'), 'utf8'));
  assert.equal(pkg.dependencies['@eddy/smartmodule-sdk'], `file:${fs.realpathSync(path.join(REPO_ROOT, 'packages', 'smartmodule-sdk'))}`);
  assert.ok(pkg.devDependencies.assemblyscript);
  const own = await runNode(['--test', 'test/'], {
    cwd: filterDir,
    env: { PATH: `${path.join(REPO_ROOT, 'node_modules', '.bin')}${path.delimiter}${process.env.PATH}` },
  });
  assert.equal(own.code, 0, own.stdout + own.stderr);
});

test('--with-params scaffolds build without edits and read their parameter', async () => {
  // debug builds: the release path is covered above
  const dirs = await twoAtATime(SM_TYPES.map((t) => () => generateAndBuild(t, true, 'debug')));
  const wasm = (i: number) => path.join(dirs[i], 'build', `${path.basename(dirs[i])}.debug.wasm`);
  const results = await twoAtATime(
    SM_TYPES.map((t, i) => () => {
      const ex = SCAFFOLD_EXAMPLES[t].params;
      return runSmdk(['test', '--stdin', '--wasm-file', wasm(i), ...exampleArgs(ex)], { cwd: dirs[i], input: ex.input.join('\n') + '\n' });
    }),
  );
  for (const [i, t] of SM_TYPES.entries()) {
    assert.equal(results[i].code, 0, `${t}: ${results[i].stderr}`);
    assert.deepEqual(lines(results[i].stdout), SCAFFOLD_EXAMPLES[t].params.output, t);
    const manifest = parseManifest(fs.readFileSync(path.join(dirs[i], 'SmartModule.toml'), 'utf8'));
    assert.deepEqual(manifest.params.map((p) => p.name), Object.keys(SCAFFOLD_EXAMPLES[t].params.params), `${t}: SmartModule.toml lists its params`);
  }
  // a parameter init refuses: one error line
  const m = SM_TYPES.indexOf('map');
  const bad = await runSmdk(['test', '--text', '4', '-e', 'factor=lots', '--wasm-file', wasm(m)], { cwd: dirs[m] });
  assert.equal(bad.code, 1);
  assert.deepEqual(lines(bad.stderr), ['error: SmartModule "my-map-params.debug" init failed: parameter "factor" must be an integer, got "lots"']);
});

test('generate refuses to overwrite, and bad names or types are one-line errors', async () => {
  const existing = path.join(tmp, 'taken');
  fs.mkdirSync(existing);
  fs.writeFileSync(path.join(existing, 'keep.txt'), 'mine');
  const cases: Array<[string[], RegExp]> = [
    [['generate', 'taken', '--sm-type', 'filter', '--destination', tmp], /^error: '.*taken' already exists; choose another name or --destination/],
    [['generate', 'Bad_Name', '--sm-type', 'filter', '--destination', tmp], /^error: invalid project name: 'Bad_Name' must use lowercase/],
    [['generate', 'ok-name', '--sm-type', 'join', '--destination', tmp], /^error: unknown SmartModule type 'join': choose one of filter, map, filter-map, array-map, aggregate$/],
    [['generate', 'ok-name', '--destination', tmp], /^error: choose the SmartModule type with --sm-type/],
  ];
  const results = await Promise.all(cases.map(([args]) => runSmdk(args)));
  cases.forEach(([args, re], i) => {
    assert.equal(results[i].code, 1, args.join(' '));
    assert.equal(lines(results[i].stderr).length, 1, results[i].stderr);
    assert.match(lines(results[i].stderr)[0], re);
  });
  assert.deepEqual(fs.readdirSync(existing), ['keep.txt']);
  assert.equal(fs.existsSync(path.join(tmp, 'ok-name')), false);
  // no staging directories left behind
  assert.deepEqual(fs.readdirSync(tmp).filter((f) => f.startsWith('.')), []);
});

test('generate prints the next steps as the user can type them (npx smdk without a global smdk)', async () => {
  const gen = await runSmdk(['generate', 'hint-demo', '--sm-type', 'filter'], { cwd: tmp, env: { PATH: '' } });
  assert.equal(gen.code, 0, gen.stderr);
  const ex = SCAFFOLD_EXAMPLES.filter.plain;
  assert.equal(lines(gen.stdout).find((l) => l.startsWith('Next:')), `Next: cd hint-demo && npx smdk build && npx smdk test --text '${ex.input[0]}'${exampleArgs(ex).map((a) => ` ${a}`).join('')}`);
});
