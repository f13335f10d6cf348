import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseDuration, formatDuration, formatElapsed } from './duration.ts';
import { ParseError } from './parse_error.ts';

test('known durations', () => {
  assert.equal(parseDuration('7d'), 7 * 86_400_000);
  assert.equal(parseDuration('1h 30m'), 5_400_000);
  assert.equal(parseDuration('1h30m'), 5_400_000);
  assert.equal(parseDuration('150ms'), 150);
  assert.equal(parseDuration('2 days 10s'), 2 * 86_400_000 + 10_000);
  assert.equal(parseDuration('1.5s'), 1500);
  assert.equal(parseDuration(' 20S '), 20_000);
  assert.equal(parseDuration('250', { bareUnit: 'ms' }), 250);
  assert.equal(parseDuration('3', { bareUnit: 's' }), 3000);
});

test('bad durations are ParseErrors naming the input', () => {
  for (const bad of ['', '7', 'd', '7x', '7d x', '-1s', '1..5s', 'forever', '1e3s', 's7']) {
    assert.throws(() => parseDuration(bad), (e: unknown) => e instanceof ParseError && e.message.includes(bad.trim() === '' ? 'empty' : bad));
  }
});

const unit = fc.constantFrom(['ms', 1], ['s', 1000], ['sec', 1000], ['m', 60_000], ['min', 60_000], ['h', 3_600_000], ['hours', 3_600_000], ['d', 86_400_000], ['w', 604_800_000]);

test('a sum of terms parses to the sum (any spacing)', () => {
  fc.assert(fc.property(
    fc.array(fc.tuple(fc.nat(1000), unit, fc.constantFrom('', ' ', '  ')), { minLength: 1, maxLength: 6 }),
    (terms) => {
      const text = terms.map(([n, [u], sp]) => `${n}${sp}${u}`).join(' ');
      const expected = terms.reduce((s, [n, [, f]]) => s + n * f, 0);
      assert.equal(parseDuration(text), expected);
    },
  ));
});

test('formatDuration then parseDuration is the identity', () => {
  fc.assert(fc.property(fc.nat({ max: 2 ** 45 }), (ms) => {
    assert.equal(parseDuration(formatDuration(ms)), ms);
  }));
});

test('any string either parses to a safe non-negative integer or throws ParseError', () => {
  fc.assert(fc.property(fc.string({ maxLength: 20 }), (s) => {
    try {
      const ms = parseDuration(s, { bareUnit: 'ms' });
      assert.ok(Number.isSafeInteger(ms) && ms >= 0);
    } catch (e) {
      assert.ok(e instanceof ParseError, String(e));
    }
  }));
});

test('formatElapsed: at most two units, days alone past a day', () => {
  const cases: [number, string][] = [
    [0, '0ms'], [250, '250ms'], [45_000, '45s'], [725_000, '12m 5s'], [3_600_000, '1h'],
    [53_412_000, '14h 50m'], [86_400_000, '1d'], [1.5 * 86_400_000, '1.5d'],
    [705 * 86_400_000 + 53_412_000, '705d'], [-5, '-'],
  ];
  for (const [ms, text] of cases) assert.equal(formatElapsed(ms), text, String(ms));
});
