// smdk build and smdk test on hand-written projects (params, look-back, aggregate, errors),
// through the real command and the real engine.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { lines, runSmdk } from './run_smdk.ts';

let tmp: string;
let stepDir: string;
let sumDir: string;

// Keeps integers greater than the last kept one plus `step` (init param); look_back primes
// "the last one" from history. Non-numbers fail with a hint; a missing `step` fails init.
const STEP_FILTER = `
import { SmartModuleRecord, Params, runFilter, runInit, runLookBack, fail, parseIntString, parseOk } from "@eddy/smartmodule-sdk";
export { alloc, dealloc } from "@eddy/smartmodule-sdk";

let last: i64 = i64.MIN_VALUE;
let step: i64 = 0;

function setup(p: Params): void {
  const s = p.get("step");
  if (s === null) { fail("missing parameter 'step'"); return; }
  step = parseIntString(s);
  if (!parseOk()) fail("step must be an integer, not '" + s + "'");
}

function remember(record: SmartModuleRecord): void {
  last = record.valueInt();
}

function keep(record: SmartModuleRecord): bool {
  const v = parseIntString(record.valueString());
  if (!parseOk()) { fail("not an integer: " + record.valueString()); return false; }
  if (last != i64.MIN_VALUE && v <= last + step) return false;
  last = v;
  return true;
}

export function init(ptr: i32, len: i32, version: i32): i32 { return runInit(ptr, len, version, setup); }
export function look_back(ptr: i32, len: i32, version: i32): i32 { return runLookBack(ptr, len, version, remember); }
export function filter(ptr: i32, len: i32, version: i32): i32 { return runFilter(ptr, len, version, keep); }
`;

const SUM_AGGREGATE = `
import { SmartModuleRecord, runAggregate, parseIntString, formatInt } from "@eddy/smartmodule-sdk";
export { alloc, dealloc } from "@eddy/smartmodule-sdk";

function add(acc: string, record: SmartModuleRecord): string {
  const a = acc.length == 0 ? 0 : parseIntString(acc);
  return formatInt(a + record.valueInt());
}

export function aggregate(ptr: i32, len: i32, version: i32): i32 { return runAggregate(ptr, len, version, add); }
`;

function writeProject(name: string, source: string): string {
  const dir = path.join(tmp, name);
  fs.mkdirSync(path.join(dir, 'assembly'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'SmartModule.toml'), `[package]\nname = "${name}"\nversion = "0.1.0"\n`);
  fs.writeFileSync(path.join(dir, 'assembly', 'index.ts'), source);
  return dir;
}

before(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'smdk-cli-'));
  stepDir = writeProject('step-filter', STEP_FILTER);
  sumDir = writeProject('sum', SUM_AGGREGATE);
  const [a, b] = await Promise.all([runSmdk(['build'], { cwd: stepDir }), runSmdk(['build', '--path', sumDir])]);
  assert.equal(a.code, 0, a.stderr);
  assert.equal(b.code, 0, b.stderr);
  assert.match(a.stdout, /^Built step-filter: build\/step-filter\.wasm \(\d+(\.\d)? KiB, \d+ bytes\)\n$/);
  assert.ok(fs.statSync(path.join(sumDir, 'build', 'sum.wasm')).size > 0);
});

after(() => fs.rmSync(tmp, { recursive: true, force: true }));

test('params reach init; records come out one per line', async () => {
  const r = await runSmdk(['test', '--stdin', '-e', 'step=2'], { cwd: path.join(stepDir, 'assembly'), input: '1\n2\n4\n5\n8\n' });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(lines(r.stdout), ['1', '4', '8']);
});

test('look-back: the last N --record values prime the module', async () => {
  // last 2 of [100, 3]: look_back sees 100 then 3, so "last" is 3 and step 0 keeps values > 3
  const r = await runSmdk(['test', '--text', '4', '-e', 'step=0', '--lookback-last', '2', '-r', '100', '-r', '3'], { cwd: stepDir });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(lines(r.stdout), ['4']);
  // last 1 of [3, 100]: "last" is 100, so 4 is dropped
  const r2 = await runSmdk(['test', '--text', '4', '-e', 'step=0', '-l', '1', '-r', '3', '-r', '100'], { cwd: stepDir });
  assert.equal(r2.code, 0, r2.stderr);
  assert.deepEqual(lines(r2.stdout), []);
  // without --lookback-last the records are not fed (as in Fluvio)
  const r3 = await runSmdk(['test', '--text', '4', '-e', 'step=0', '-r', '100'], { cwd: stepDir });
  assert.deepEqual(lines(r3.stdout), ['4']);
});

test('keys: positional KEY, -k prints "[key] value", "[null]" without a key', async () => {
  const wasm = path.join(stepDir, 'build', 'step-filter.wasm');
  const r = await runSmdk(['test', '-k', 'sensor-1', '--text', '7', '-e', 'step=0', '--wasm-file', wasm], { cwd: tmp });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(lines(r.stdout), ['[sensor-1] 7']);
  const r2 = await runSmdk(['test', '--key-value', '--text', '7', '-e', 'step=0', '--wasm-file', wasm], { cwd: tmp });
  assert.deepEqual(lines(r2.stdout), ['[null] 7']);
  const r3 = await runSmdk(['test', '--key', 'k', '--text', '7', '-e', 'step=0', '--wasm-file', wasm, '-v'], { cwd: tmp });
  assert.deepEqual(lines(r3.stdout), ['1 records outputed', '7']);
});

test('--file reads a record per line, --raw one record', async () => {
  const f = path.join(tmp, 'numbers.txt');
  fs.writeFileSync(f, '10\n20\n');
  const r = await runSmdk(['test', '--file', f, '-e', 'step=0'], { cwd: stepDir });
  assert.deepEqual(lines(r.stdout), ['10', '20']);
  const raw = await runSmdk(['test', '--file', f, '--raw', '-e', 'step=0'], { cwd: stepDir });
  assert.equal(raw.code, 1);
  assert.equal(raw.stdout, '');
  // the whole file is one record; the engine keeps the hint's first line
  assert.deepEqual(lines(raw.stderr), ['error: SmartModule "step-filter" (filter) failed at offset 0: not an integer: 10']);
});

test('a record the module rejects: earlier output, then one error line, exit 1', async () => {
  const r = await runSmdk(['test', '--stdin', '-e', 'step=0'], { cwd: stepDir, input: '1\nabc\n3\n' });
  assert.equal(r.code, 1);
  assert.deepEqual(lines(r.stdout), ['1']);
  assert.deepEqual(lines(r.stderr), ['error: SmartModule "step-filter" (filter) failed at offset 1: not an integer: abc']);
});

test("init's refusal is the error", async () => {
  const r = await runSmdk(['test', '--text', '1'], { cwd: stepDir });
  assert.equal(r.code, 1);
  assert.equal(r.stdout, '');
  assert.deepEqual(lines(r.stderr), [`error: SmartModule "step-filter" init failed: missing parameter 'step'`]);
});

test('aggregate: running sum from --aggregate-initial', async () => {
  const r = await runSmdk(['test', '--stdin', '--aggregate-initial', '100'], { cwd: sumDir, input: '1\n2\n3\n' });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(lines(r.stdout), ['101', '103', '106']);
  const r2 = await runSmdk(['test', '--stdin'], { cwd: sumDir, input: '5\n5\n' });
  assert.deepEqual(lines(r2.stdout), ['5', '10']);
});

test('test rebuilds when the source changed', async () => {
  const dir = writeProject('rebuilt', SUM_AGGREGATE);
  const first = await runSmdk(['test', '--text', '2'], { cwd: dir });
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stderr, /Compiling rebuilt/);
  assert.deepEqual(lines(first.stdout), ['2']);
  // now doubles the sum; the mtime must move past the wasm's
  const src = path.join(dir, 'assembly', 'index.ts');
  fs.writeFileSync(src, SUM_AGGREGATE.replace('formatInt(a + record.valueInt())', 'formatInt((a + record.valueInt()) * 2)'));
  const later = new Date(Date.now() + 5000);
  fs.utimesSync(src, later, later);
  const second = await runSmdk(['test', '--text', '2'], { cwd: dir });
  assert.equal(second.code, 0, second.stderr);
  assert.deepEqual(lines(second.stdout), ['4']);
});

test('bad wasm files: one line, non-zero exit', async () => {
  const notWasm = path.join(tmp, 'text.wasm');
  fs.writeFileSync(notWasm, 'hello, not wasm');
  const broken = path.join(tmp, 'broken.wasm');
  fs.writeFileSync(broken, Buffer.concat([Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]), Buffer.from('garbage')]));
  const cases: Array<[string, RegExp]> = [
    [notWasm, /^error: '.*text\.wasm' is not a WebAssembly module \(no \\0asm header\)$/],
    [broken, /^error: SmartModule "broken" cannot be loaded: .+$/],
    [path.join(tmp, 'missing.wasm'), /^error: cannot read wasm file '.*missing\.wasm': no such file$/],
  ];
  for (const [file, re] of cases) {
    const r = await runSmdk(['test', '--text', 'a', '--wasm-file', file], { cwd: tmp });
    assert.equal(r.code, 1, file);
    assert.equal(r.stdout, '');
    assert.equal(lines(r.stderr).length, 1, r.stderr);
    assert.match(lines(r.stderr)[0], re);
  }
});

test('a compile error: asc diagnostics, then one error line, exit 1', async () => {
  const dir = writeProject('broken-code', SUM_AGGREGATE + '\nundefinedThing();\n');
  const r = await runSmdk(['build'], { cwd: dir });
  assert.equal(r.code, 1);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /ERROR TS2304: Cannot find name 'undefinedThing'/);
  const last = lines(r.stderr).at(-1)!;
  assert.match(last, /^error: build of 'broken-code' failed: assembly\/index\.ts\(\d+,1\): Cannot find name 'undefinedThing'\.$/);
  assert.equal(fs.existsSync(path.join(dir, 'build', 'broken-code.wasm')), false);
});

test('--abi-version calls the module with that version\'s input layout', async () => {
  // record.timestamp is base_timestamp + delta; inputs before version 22 carry no base_timestamp
  const dir = writeProject(
    'stamp',
    `import { SmartModuleRecord } from "@eddy/smartmodule-sdk";
@map
function stamp(record: SmartModuleRecord): SmartModuleRecord { return record.withValue(record.timestamp.toString()); }
`,
  );
  const before = Date.now();
  const newest = await runSmdk(['test', '--text', 'x'], { cwd: dir });
  assert.equal(newest.code, 0, newest.stderr);
  const [r21, r22] = await Promise.all([21, 22].map((v) => runSmdk(['test', '--text', 'x', '--abi-version', String(v)], { cwd: dir })));
  assert.deepEqual([r21.code, lines(r21.stdout)], [0, ['0']], r21.stderr);
  for (const r of [newest, r22]) {
    const ts = Number(lines(r.stdout)[0]);
    assert.ok(ts >= before - 60_000 && ts <= Date.now(), r.stdout);
  }
});

test('a SmartModule decorator mistake names the line and what is wrong', async () => {
  const dir = writeProject(
    'two-transforms',
    `import { SmartModuleRecord } from "@eddy/smartmodule-sdk";
@filter
function keep(record: SmartModuleRecord): bool { return true; }
@map
function double(record: SmartModuleRecord): SmartModuleRecord { return record; }
`,
  );
  const r = await runSmdk(['build'], { cwd: dir });
  assert.equal(r.code, 1);
  assert.equal(
    lines(r.stderr).at(-1),
    "error: build of 'two-transforms' failed: assembly/index.ts(4,1): Transform '@eddy/smartmodule-sdk': two transforms in one module (@filter keep, @map double): a SmartModule has exactly one of @filter, @map, @filter_map, @array_map, @aggregate",
  );
});

test('usage errors are one line', async () => {
  const cases: Array<[string[], RegExp]> = [
    [['test', '--text', 'a', '--stdin'], /^error: give only one test input, not --text and --stdin$/],
    [['test'], /^error: no test input: give --text TEXT, --file FILE or --stdin$/],
    [['test', '--text', 'a', '-e', 'oops'], /^error: invalid parameter 'oops': expected key=value$/],
    [['test', '--text', 'a', '--lookback-last', 'x'], /^error: invalid --lookback-last 'x': expected a whole number >= 0$/],
    [['test', '--text', 'a', '--abi-version', '15'], /^error: invalid --abi-version '15': SmartModule ABI versions are 16 to 25$/],
    [['test', '--text', 'a', '--abi-version', '26'], /^error: invalid --abi-version '26': SmartModule ABI versions are 16 to 25$/],
    [['test', '--text', 'a', '--abi-version', 'new'], /^error: invalid --abi-version 'new': SmartModule ABI versions are 16 to 25$/],
    [['build', '--path', '/'], /^error: no SmartModule project in \/ or its parents/],
    [['publish'], /^error: SmartModule\.toml has no package\.group and you are not logged in to a hub: set package\.group in SmartModule\.toml .*'eddy hub login --owner NAME'/],
    [['nonsense'], /^error: unknown command 'nonsense'/],
  ];
  const results = await Promise.all(cases.map(([args]) => runSmdk(args, { cwd: stepDir })));
  for (const [i, [args, re]] of cases.entries()) {
    const r = results[i];
    assert.notEqual(r.code, 0, args.join(' '));
    assert.equal(lines(r.stderr).length, 1, `${args.join(' ')}: ${r.stderr}`);
    assert.match(lines(r.stderr)[0], re);
  }
});
