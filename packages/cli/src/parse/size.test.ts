import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseSize, formatSize } from './size.ts';
import { parseInteger } from './number.ts';
import { ParseError } from './parse_error.ts';

test('known sizes', () => {
  assert.equal(parseSize('1024'), 1024);
  assert.equal(parseSize('1GB'), 1e9);
  assert.equal(parseSize('1 GiB'), 1024 ** 3);
  assert.equal(parseSize('512kib'), 512 * 1024);
  assert.equal(parseSize('10 MB'), 10_000_000);
  assert.equal(parseSize('1.5KiB'), 1536);
  assert.equal(parseSize('7b'), 7);
});

test('bad sizes are ParseErrors naming the input', () => {
  for (const bad of ['', 'GB', '1XB', '-1', '1 G B', '1e9', '0x10', 'lots']) {
    assert.throws(() => parseSize(bad), (e: unknown) => e instanceof ParseError && e.message.includes(`'${bad}'`) || (e instanceof ParseError && bad === ''));
  }
});

const unit = fc.constantFrom(['', 1], ['B', 1], ['KB', 1e3], ['kb', 1e3], ['MB', 1e6], ['GB', 1e9], ['KiB', 1024], ['MiB', 1024 ** 2], ['GiB', 1024 ** 3], ['TiB', 1024 ** 4]);

test('n<unit> parses to n * unit', () => {
  fc.assert(fc.property(fc.nat(4096), unit, fc.boolean(), (n, [u, f], space) => {
    assert.equal(parseSize(`${n}${space ? ' ' : ''}${u}`), n * f);
  }));
});

test('formatSize of an exact multiple parses back', () => {
  fc.assert(fc.property(fc.nat(4096), unit, (n, [, f]) => {
    const text = formatSize(n * f);
    if (!text.includes('.')) assert.equal(parseSize(text.replace(' ', '')), n * f);
  }));
});

test('any string either parses to a safe non-negative integer or throws ParseError', () => {
  fc.assert(fc.property(fc.string({ maxLength: 16 }), (s) => {
    try {
      const n = parseSize(s);
      assert.ok(Number.isSafeInteger(n) && n >= 0);
    } catch (e) {
      assert.ok(e instanceof ParseError, String(e));
    }
  }));
});

test('parseInteger accepts exactly the decimal integers in range', () => {
  fc.assert(fc.property(fc.integer({ min: -1000, max: 1000 }), (n) => {
    if (n >= 0) assert.equal(parseInteger(String(n), 0, 1000), n);
    else assert.throws(() => parseInteger(String(n), 0, 1000), ParseError);
  }));
  for (const bad of ['3x', '1e3', '', ' ', '1.0', '0x1']) assert.throws(() => parseInteger(bad), ParseError);
  assert.throws(() => parseInteger('5', 0, 4), /too large/);
});
