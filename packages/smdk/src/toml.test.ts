import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseToml, stringifyToml, tomlString, TomlError } from './toml.ts';

/** Plain-object copy (the parser's tables have no prototype). */
const plain = (v: unknown): unknown => JSON.parse(JSON.stringify(v));

test('reads a Fluvio SmartModule.toml', () => {
  const t = plain(parseToml(`# metadata
[package]
name = "my-filter"
group = 'john'   # literal string
version = "0.1.0"
apiVersion = "0.1.0"
description = "keeps \\"a\\" records\\n"
visibility = "private"
constructor = "plain key"
count = 1_000
ratio = 0.5
on = true

[[params]]
name = "key"
description = "the needle"

[[params]]
name = "other"
description = "x=y # not a comment"
`));
  assert.deepEqual(t, {
    package: {
      name: 'my-filter', group: 'john', version: '0.1.0', apiVersion: '0.1.0',
      description: 'keeps "a" records\n', visibility: 'private', constructor: 'plain key', count: 1000, ratio: 0.5, on: true,
    },
    params: [
      { name: 'key', description: 'the needle' },
      { name: 'other', description: 'x=y # not a comment' },
    ],
  });
});

test('dotted and quoted keys', () => {
  assert.deepEqual(plain(parseToml('a.b = 1\n"c d" = "e"\n[x.y]\nz = false\n')), { a: { b: 1 }, 'c d': 'e', x: { y: { z: false } } });
});

test('errors name the line', () => {
  const cases: Array<[string, RegExp]> = [
    ['[package\nname = "x"', /line 1: unterminated table header/],
    ['[package]\nname = x', /line 2: invalid value 'x'/],
    ['name = "x"\nname = "y"', /line 2: duplicate key 'name'/],
    ['name = "unterminated', /line 1: unterminated string/],
    ['name = "bad \\q escape"', /line 1: invalid escape/],
    ['just words', /line 1: expected 'key = value'/],
    ['list = [1, 2]', /arrays and inline tables are not supported/],
    ['a = 1\n[a]\n', /'a' is a value, not a table/],
  ];
  for (const [text, re] of cases) {
    assert.throws(() => parseToml(text, 'SmartModule.toml'), (e: unknown) => e instanceof TomlError && re.test(e.message) && e.message.startsWith('SmartModule.toml line'), text);
  }
});

test('strings round-trip through tomlString', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'grapheme' }), (s) => {
      assert.equal(parseToml(`k = ${tomlString(s)}`).k, s);
    }),
  );
});

test('stringifyToml output parses back to the same tables', () => {
  const value = fc.oneof(fc.string(), fc.boolean(), fc.integer());
  const key = fc.string({ minLength: 1 });
  const table = fc.dictionary(key, value);
  fc.assert(
    fc.property(table, table, fc.array(table, { maxLength: 3 }), (top, pkg, params) => {
      const root: Record<string, unknown> = { ...top };
      // table names must not collide with top-level keys
      delete root['package'];
      delete root['params'];
      root.package = pkg;
      if (params.length > 0) root.params = params;
      const text = stringifyToml(root as never);
      assert.deepEqual(plain(parseToml(text)), plain(root));
    }),
    { numRuns: 200 },
  );
});
