// The compiler transform: decorated plain functions become the ABI exports (checked with the bare
// host, which allows no import but env.copy_records), the explicit style still builds, and each
// mistake is one compile error at the decorator.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildSmartModule, SmartModuleBuildError } from '../src/build.ts';
import { decodeOutput, encodeInput, encodeParams, encodeRecords, str, txt } from './fluvio_codec.ts';
import { ProbeInstance } from './probe.ts';

let tmp: string;
before(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sdk-transform-'));
});
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const HEAD = 'import { SmartModuleRecord, Params, fail } from "@eddy/smartmodule-sdk";\n';
let n = 0;

/** Writes `files` (assembly/index.ts first) into a new project and compiles it with the SDK's flags. */
async function build(index: string, more: Record<string, string> = {}): Promise<WebAssembly.Module> {
  const dir = path.join(tmp, `m${n++}`);
  for (const [file, text] of Object.entries({ 'assembly/index.ts': index, ...more })) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), text);
  }
  const { wasm } = await buildSmartModule({ projectDir: dir });
  return WebAssembly.compile(wasm);
}

/** The one-line summary of a failed build (the message's first line). */
async function buildError(index: string, more: Record<string, string> = {}): Promise<string> {
  const err = await build(index, more).then(
    () => assert.fail('expected a compile error'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof SmartModuleBuildError, String(err));
  return err.message.split('\n')[0].replace(/^asc failed to compile \S+: /, '');
}

const exportsOf = (m: WebAssembly.Module) => WebAssembly.Module.exports(m).map((e) => e.name).sort();

test('@init, @look_back and @filter on plain functions make the ABI exports, importing only env.copy_records', async () => {
  const module = await build(`${HEAD}
let step: i64 = 0;
let last: i64 = i64.MIN_VALUE;

@init
function setup(params: Params): void {
  const s = params.get("step");
  if (s === null) fail("missing parameter step");
  else step = I64.parseInt(s);
}

@look_back
function remember(record: SmartModuleRecord): void {
  last = record.valueInt();
}

@filter
function keep(record: SmartModuleRecord): bool {
  const v = record.valueInt();
  if (v <= last + step) return false;
  last = v;
  return true;
}
`);
  assert.deepEqual(exportsOf(module), ['alloc', 'dealloc', 'filter', 'init', 'look_back', 'memory']);
  const p = await ProbeInstance.create(module); // refuses any import but env.copy_records
  assert.equal(p.call('init', encodeParams(25, [['step', '10']]), 25).status, 0);
  assert.equal(p.call('look_back', encodeInput({ version: 25, records: encodeRecords([{ value: str('5') }]) }), 25).status, 0);
  const r = p.call('filter', encodeInput({ version: 25, records: encodeRecords(['12', '16', '30', '41', '45'].map((v) => ({ value: str(v) }))) }), 25);
  assert.equal(r.status, 3);
  assert.deepEqual(decodeOutput(r.output!).records.map((x) => txt(x.value)), ['16', '30', '41']);

  // init's fail() reaches the host as a refusal, as with a hand-written export
  const q = await ProbeInstance.create(module);
  assert.equal(q.call('init', encodeParams(25, []), 25).status, -2);
});

test('@aggregate over Uint8Array uses the bytes runner; a function may share its export\'s name', async () => {
  const module = await build(`${HEAD}
@aggregate
function aggregate(accumulator: Uint8Array, record: SmartModuleRecord): Uint8Array {
  const out = new Uint8Array(accumulator.length + record.valueLength);
  out.set(accumulator);
  out.set(record.valueBytes(), accumulator.length);
  return out;
}
`);
  assert.deepEqual(exportsOf(module), ['aggregate', 'alloc', 'dealloc', 'memory']);
  const p = await ProbeInstance.create(module);
  const r = p.call('aggregate', encodeInput({ version: 25, records: encodeRecords([{ value: str('b') }, { value: str('c') }]), accumulator: str('a') }), 25);
  const out = decodeOutput(r.output!, true);
  assert.deepEqual([out.records.map((x) => txt(x.value)), txt(out.accumulator)], [['ab', 'abc'], 'abc']);
});

test('a hand-written export still builds, and may sit next to a decorated @init', async () => {
  const module = await build(`${HEAD}import { runMap } from "@eddy/smartmodule-sdk";
export { alloc, dealloc } from "@eddy/smartmodule-sdk";
let suffix = "";
@init
function setup(params: Params): void { suffix = params.getOr("suffix", "!"); }
function shout(record: SmartModuleRecord): SmartModuleRecord { return record.withValue(record.valueString() + suffix); }
export function map(ptr: i32, len: i32, version: i32): i32 { return runMap(ptr, len, version, shout); }
`);
  assert.deepEqual(exportsOf(module), ['alloc', 'dealloc', 'init', 'map', 'memory']);
  const p = await ProbeInstance.create(module);
  assert.equal(p.call('init', encodeParams(25, [['suffix', '?']]), 25).status, 0);
  const r = p.call('map', encodeInput({ version: 25, records: encodeRecords([{ value: str('hi') }]) }), 25);
  assert.deepEqual(decodeOutput(r.output!).records.map((x) => txt(x.value)), ['hi?']);
});

test('mistakes are one compile error each, at the decorator or the signature', async () => {
  const rec = 'SmartModuleRecord';
  const cases: Array<[string, string, Record<string, string>?]> = [
    [
      `@filter\nfunction a(r: ${rec}): bool { return true; }\n@map\nfunction b(r: ${rec}): ${rec} { return r; }\n`,
      "assembly/index.ts(4,1): Transform '@eddy/smartmodule-sdk': two transforms in one module (@filter a, @map b): a SmartModule has exactly one of @filter, @map, @filter_map, @array_map, @aggregate",
    ],
    [
      `import { runFilter } from "@eddy/smartmodule-sdk";\nfunction k(r: ${rec}): bool { return true; }\nexport function filter(ptr: i32, len: i32, version: i32): i32 { return runFilter(ptr, len, version, k); }\n@map\nfunction b(r: ${rec}): ${rec} { return r; }\n`,
      "assembly/index.ts(5,1): Transform '@eddy/smartmodule-sdk': two transforms in one module (@map b, the exported function filter): a SmartModule has exactly one of @filter, @map, @filter_map, @array_map, @aggregate",
    ],
    [
      `@filterMap\nfunction a(r: ${rec}): ${rec} | null { return r; }\n`,
      "assembly/index.ts(2,1): Transform '@eddy/smartmodule-sdk': unknown decorator @filterMap on function a: did you mean @filter_map? (SmartModule decorators are @filter, @map, @filter_map, @array_map, @aggregate, @init, @look_back)",
    ],
    [`@filter("x")\nfunction a(r: ${rec}): bool { return true; }\n`, "assembly/index.ts(2,1): Transform '@eddy/smartmodule-sdk': @filter takes no arguments"],
    [
      `@filter\nfunction a(r: ${rec}): i32 { return 1; }\n`,
      "assembly/index.ts(3,35): Transform '@eddy/smartmodule-sdk': @filter function a must return bool, not i32 (true keeps the record): (record: SmartModuleRecord): bool",
    ],
    [
      `@map\nfunction a(r: ${rec}): ${rec} | null { return r; }\n`,
      "assembly/index.ts(3,35): Transform '@eddy/smartmodule-sdk': @map function a must return SmartModuleRecord, not SmartModuleRecord | null (to drop records, use @filter_map): (record: SmartModuleRecord): SmartModuleRecord",
    ],
    [
      `@array_map\nfunction a(r: string): ${rec}[] { return []; }\n`,
      "assembly/index.ts(3,15): Transform '@eddy/smartmodule-sdk': @array_map function a: parameter r must be a SmartModuleRecord, not string: (record: SmartModuleRecord): SmartModuleRecord[]",
    ],
    [
      `@filter\nfunction a(r: ${rec}, n: i32): bool { return true; }\n`,
      "assembly/index.ts(3,11): Transform '@eddy/smartmodule-sdk': @filter function a must take one parameter: (record: SmartModuleRecord): bool",
    ],
    [
      `@aggregate\nfunction a(acc: i64, r: ${rec}): i64 { return acc; }\n`,
      "assembly/index.ts(3,17): Transform '@eddy/smartmodule-sdk': @aggregate function a: the accumulator must be a string or a Uint8Array, not i64 ((accumulator: string, record: SmartModuleRecord): string or (accumulator: Uint8Array, record: SmartModuleRecord): Uint8Array)",
    ],
    [
      `@init\nfunction s(p: Params): void {}\n`,
      "assembly/index.ts(2,1): Transform '@eddy/smartmodule-sdk': @init s needs a transform in the same module: add one of @filter, @map, @filter_map, @array_map, @aggregate",
    ],
    [
      `@init\nfunction s(p: Params): void {}\n@init\nfunction t(p: Params): void {}\n@filter\nfunction a(r: ${rec}): bool { return true; }\n`,
      "assembly/index.ts(4,1): Transform '@eddy/smartmodule-sdk': more than one init in one module (@init s, @init t)",
    ],
    [
      `@filter\nexport function filter(r: ${rec}): bool { return true; }\n`,
      "assembly/index.ts(3,17): Transform '@eddy/smartmodule-sdk': @filter function filter is exported under an ABI export's name: remove its \"export\" (or rename it)",
    ],
    [
      `@filter\nfunction a<T>(r: ${rec}): bool { return true; }\n`,
      "assembly/index.ts(3,10): Transform '@eddy/smartmodule-sdk': @filter function a cannot be generic",
    ],
    [
      `import { keep } from "./keep";\n`,
      "assembly/keep.ts(2,1): Transform '@eddy/smartmodule-sdk': @filter must be on a function in the entry file (assembly/index.ts), not in assembly/keep.ts: the ABI exports it makes must be the module's",
      { 'assembly/keep.ts': `${HEAD}@filter\nexport function keep(r: ${rec}): bool { return true; }\n` },
    ],
    [
      // a type the transform cannot see through is left to the compiler, whose error names the generated code
      `type B = i32;\n@filter\nfunction a(r: ${rec}): B { return 1; }\n`,
      "assembly/index.ts (the exports generated for its @decorated function): Type '(~lib/@eddy/smartmodule-sdk/assembly/record/SmartModuleRecord) => i32' is not assignable to type '(~lib/@eddy/smartmodule-sdk/assembly/record/SmartModuleRecord) => bool'.",
    ],
  ];
  for (const [source, expected, more] of cases) {
    assert.equal(await buildError(HEAD + source, more), expected);
  }
});
