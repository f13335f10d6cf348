import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import YAML from 'yaml';
import {
  parseTransforms, parseTransformLine, parseHumanDuration, resolveSmartModule, toInvocation, SmartModuleSpecError,
} from './smartmodule_spec.ts';

test('a Fluvio transforms file becomes a chain of specs', () => {
  const specs = parseTransforms(`
transforms:
  - uses: infinyon/jolt@0.3.0
    with:
      spec:
        - operation: default
          spec: { source: http }
  - uses: only-a
    with: { key: a, n: 3 }
    lookback:
      last: 10
      age: 1h 30m
  - uses: plain
`);
  assert.deepEqual(specs, [
    { name: 'infinyon/jolt@0.3.0', params: { spec: '[{"operation":"default","spec":{"source":"http"}}]' } },
    { name: 'only-a', params: { key: 'a', n: '3' }, lookback: { last: 10, age: 5_400_000 } },
    { name: 'plain' },
  ]);
  // JSON is YAML too; an empty document is an empty chain.
  assert.deepEqual(parseTransforms('{"transforms":[{"uses":"x","with":{"k":"v"}}]}'), [{ name: 'x', params: { k: 'v' } }]);
  assert.deepEqual(parseTransforms('transforms: []'), []);
});

test('--transforms-line takes one step as JSON, as Fluvio does', () => {
  assert.deepEqual(parseTransformLine('{"uses":"infinyon/jolt@0.1.0","with":{"spec":"[{\\"operation\\":\\"default\\"}]"}}'),
    { name: 'infinyon/jolt@0.1.0', params: { spec: '[{"operation":"default"}]' } });
  assert.deepEqual(parseTransformLine('{"uses":"lb","lookback":{"last":1}}'), { name: 'lb', lookback: { last: 1 } });
});

test('bad transforms: one line naming the bad field', () => {
  const bad: [string, RegExp][] = [
    ['transforms: 3', /^t\.yaml: transforms must be a list, got 3$/],
    ['- uses: x', /^t\.yaml: expected a mapping with a 'transforms' list, got a list$/],
    ['transforms:\n  - with: {a: b}', /^t\.yaml: transforms\[0\]\.uses is required/],
    ['transforms:\n  - uses: x\n  - uses: [1]', /^t\.yaml: transforms\[1\]\.uses must be a SmartModule name, got a list$/],
    ['transforms:\n  - uses: x\n    with: [a]', /^t\.yaml: transforms\[0\]\.with must be a mapping of parameters/],
    ['transforms:\n  - uses: x\n    with: {k: null}', /^t\.yaml: transforms\[0\]\.with\.k has no value$/],
    ['transforms:\n  - uses: x\n    lookback: {last: -1}', /^t\.yaml: transforms\[0\]\.lookback\.last must be a non-negative integer, got -1$/],
    ['transforms:\n  - uses: x\n    lookback: {last: ten}', /^t\.yaml: transforms\[0\]\.lookback\.last must be a non-negative integer, got "ten"$/],
    ['transforms:\n  - uses: x\n    lookback: {age: 3600}', /^t\.yaml: transforms\[0\]\.lookback\.age must be a duration/],
    ['transforms:\n  - uses: x\n    lookback: {age: 5 parsecs}', /^t\.yaml: transforms\[0\]\.lookback\.age: invalid duration '5 parsecs': unknown unit 'parsecs'$/],
    ['transforms: [', /^t\.yaml: not valid YAML or JSON: /],
    ['', /^t\.yaml: empty; expected 'transforms:' and a list of steps/],
    ['# only a comment\n', /^t\.yaml: empty; /],
    ['transform:\n  - uses: x', /^t\.yaml: unknown key 'transform' \(did you mean 'transforms'\?\)$/],
    ['other: 1', /^t\.yaml: unknown key 'other' \(expected 'transforms'\)$/],
    ['transforms:', /^t\.yaml: transforms has no steps/],
    ['transforms:\n  - uses: x\n    whith: {a: b}', /^t\.yaml: transforms\[0\]: unknown key 'whith' \(did you mean 'with'\?\)$/],
  ];
  for (const [text, re] of bad) {
    assert.throws(() => parseTransforms(text, 't.yaml'), (err: Error) => {
      assert.ok(err instanceof SmartModuleSpecError, text);
      assert.match(err.message, re, text);
      assert.ok(!err.message.includes('\n'), `one line: ${err.message}`);
      return true;
    });
  }
  assert.throws(() => parseTransformLine('{uses: x}'), /^SmartModuleSpecError: transforms-line: not valid JSON/);
  assert.throws(() => parseTransformLine('"x"'), /transforms-line must be a mapping \{uses, with\?, lookback\?\}, got "x"/);
});

test('humantime durations', () => {
  assert.equal(parseHumanDuration('30m'), 1_800_000);
  assert.equal(parseHumanDuration('1h 30m'), 5_400_000);
  assert.equal(parseHumanDuration('1h30m15s'), 5_415_000);
  assert.equal(parseHumanDuration('2days'), 172_800_000);
  assert.equal(parseHumanDuration('500ms'), 500);
  assert.equal(parseHumanDuration('1M'), 2_630_016_000);
  for (const bad of ['', '10', 'm', '1x', '1h and', '-1s']) assert.throws(() => parseHumanDuration(bad), SmartModuleSpecError, bad);
  fc.assert(fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 10_000 }), fc.constantFrom(['ms', 1], ['s', 1000], ['min', 60_000], ['h', 3_600_000], ['d', 86_400_000])), { minLength: 1, maxLength: 5 }), (parts) => {
    const text = parts.map(([n, [u]]) => `${n}${u}`).join(' ');
    assert.equal(parseHumanDuration(text), parts.reduce((t, [n, [, ms]]) => t + n * ms, 0));
  }));
});

test('parseTransforms reads back any chain written in the format', () => {
  const name = fc.stringMatching(/^[a-z][a-z0-9/@.-]{0,20}$/);
  const step = fc.record({
    uses: name,
    with: fc.option(fc.dictionary(fc.stringMatching(/^[a-z]{1,8}$/), fc.string({ maxLength: 20 })), { nil: undefined }),
    lookback: fc.option(fc.record({ last: fc.nat({ max: 1e6 }) }), { nil: undefined }),
  });
  fc.assert(fc.property(fc.array(step, { maxLength: 5 }), fc.boolean(), (steps, asJson) => {
    const doc = { transforms: steps.map((s) => Object.fromEntries(Object.entries(s).filter(([, v]) => v !== undefined))) };
    const text = asJson ? JSON.stringify(doc) : YAML.stringify(doc);
    const specs = parseTransforms(text);
    assert.equal(specs.length, steps.length);
    specs.forEach((spec, i) => {
      assert.equal(spec.name, steps[i].uses);
      // fast-check's records have no prototype: compare plain copies.
      assert.deepEqual(spec.params, steps[i].with && { ...steps[i].with });
      assert.deepEqual(spec.lookback, steps[i].lookback && { ...steps[i].lookback });
    });
  }));
});

test('specs become invocations: registered names, files and bytes', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eddy-spec-'));
  try {
    const file = path.join(dir, 'mod.wasm');
    fs.writeFileSync(file, Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
    assert.deepEqual(toInvocation({ name: 'f', params: { k: 'v' }, lookback: { last: 3, age: 60_000 }, initialAccumulator: '0' }), {
      name: 'f', wasm: null, kind: null, params: { k: 'v' }, lookbackLast: 3, lookbackAgeMs: 60_000, initialAccumulator: Buffer.from('0'), version: -1,
    });
    const fromFile = toInvocation({ path: file, version: 21 });
    assert.equal(fromFile.name, 'mod.wasm');
    assert.deepEqual(fromFile.wasm, fs.readFileSync(file));
    assert.equal(fromFile.version, 21);
    assert.equal(toInvocation({ wasm: new Uint8Array([1, 2]) }, 2).name, 'ad-hoc #3');
    assert.equal(resolveSmartModule({ name: 'shown', wasm: new Uint8Array([1]) }).name, 'shown');

    assert.throws(() => toInvocation({ path: path.join(dir, 'missing.wasm') }), /^SmartModuleSpecError: cannot read SmartModule file '.*missing\.wasm': no such file$/);
    assert.throws(() => toInvocation({ path: dir }), /it is a directory/);
    assert.throws(() => toInvocation({}), /SmartModule #1 needs a name \(registered on the cluster\), a path or wasm bytes/);
    assert.throws(() => toInvocation({ path: file, wasm: new Uint8Array(1) }), /give either path or wasm, not both/);
    assert.throws(() => toInvocation({ name: 'f', params: { k: 1 as unknown as string } }), /SmartModule 'f': params\.k must be a string, got 1/);
    assert.throws(() => toInvocation({ name: 'f', lookback: { last: 1.5 } }), /SmartModule 'f': lookback\.last must be a non-negative integer, got 1\.5/);
    assert.throws(() => toInvocation({ name: 'f', lookback: { age: -5 } }), /lookback\.age \(milliseconds\) must be a non-negative integer/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a transform step may name the ABI version it is called with (16..25), one line when out of range', () => {
  assert.deepEqual(parseTransforms('transforms:\n  - uses: old\n    version: 21\n  - uses: new\n'), [{ name: 'old', version: 21 }, { name: 'new' }]);
  assert.deepEqual(parseTransformLine('{"uses":"x","version":16}'), { name: 'x', version: 16 });
  assert.equal(toInvocation(parseTransformLine('{"uses":"x","version":25}')).version, 25);
  for (const [text, got] of [['15', '15'], ['26', '26'], ['21.5', '21.5'], ['"21"', '"21"'], ['[21]', 'a list']]) {
    assert.throws(() => parseTransforms(`transforms:\n  - uses: x\n    version: ${text}`, 't.yaml'), (err: Error) => {
      assert.ok(err instanceof SmartModuleSpecError, text);
      assert.equal(err.message, `t.yaml: transforms[0].version must be a SmartModule ABI version from 16 to 25, got ${got}`);
      return true;
    });
  }
  assert.throws(() => toInvocation({ name: 'f', version: 12 }), /^SmartModuleSpecError: SmartModule 'f': version must be a SmartModule ABI version from 16 to 25, got 12$/);
});
