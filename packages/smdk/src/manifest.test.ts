import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultManifest, formatManifest, nameProblem, parseManifest } from './manifest.ts';
import { SmdkError } from './errors.ts';

test('a generated manifest parses back to itself', () => {
  const m = defaultManifest('my-filter', { group: 'eddy', description: 'keeps "a"', params: [{ name: 'key', description: 'needle' }] });
  assert.deepEqual(parseManifest(formatManifest(m)), m);
  assert.deepEqual(parseManifest(formatManifest(defaultManifest('x'))), defaultManifest('x'));
});

test("reads Fluvio's SmartModule.toml layout", () => {
  const m = parseManifest(`[package]
name = "regex-filter"
group = "infinyon"
version = "0.1.0"
apiVersion = "0.1.0"
description = "Filter records using regular expressions"
license = "Apache-2.0"
visibility = "public"

[[params]]
name = "regex"
description = "Regular expression"
optional = false
`);
  assert.equal(m.package.name, 'regex-filter');
  assert.equal(m.package.visibility, 'public');
  assert.deepEqual(m.params, [{ name: 'regex', description: 'Regular expression', optional: false }]);
});

test('bad manifests give one-line errors naming the field', () => {
  const cases: Array<[string, RegExp]> = [
    ['name = "x"', /missing \[package\] table/],
    ['[package]\nversion = "0.1.0"', /missing package\.name/],
    ['[package]\nname = "My_Filter"\nversion = "0.1.0"', /package\.name: 'My_Filter' must use lowercase/],
    ['[package]\nname = "f"\nversion = "one"', /package\.version 'one' is not a semantic version/],
    ['[package]\nname = "f"\nversion = "0.1.0"\nvisibility = "secret"', /visibility must be "public" or "private"/],
    ['[package]\nname = "f"\nversion = 1', /package\.version must be a string/],
    ['[package]\nname = "f"\nversion = "0.1.0"\n[[params]]\ndescription = "d"', /params #1 needs a name/],
    ['[package\n', /SmartModule\.toml line 1/],
  ];
  for (const [text, re] of cases) {
    assert.throws(() => parseManifest(text), (e: unknown) => e instanceof SmdkError && re.test(e.message) && !e.message.includes('\n'), text);
  }
});

test('name rule', () => {
  assert.equal(nameProblem('my-filter-2'), null);
  assert.match(nameProblem('') ?? '', /empty/);
  assert.match(nameProblem('-x') ?? '', /lowercase/);
  assert.match(nameProblem('a'.repeat(64)) ?? '', /63/);
});
