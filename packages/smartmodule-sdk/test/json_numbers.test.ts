// The SDK's JSON reader/writer and number parsing, checked against JavaScript's own
// JSON.parse / JSON.stringify / Number / String through the probe module.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeOutput, encodeInput, encodeRecords, str, txt } from './fluvio_codec.ts';
import { ProbeInstance } from './probe.ts';

/** Runs `values` through the probe export `fn` (a map) and returns output values, or the error hint. */
function mapValues(p: ProbeInstance, fn: string, values: readonly string[]): { values: string[]; error: string | null } {
  const r = p.call(fn, encodeInput({ version: 25, records: encodeRecords(values.map((v) => ({ value: str(v) }))) }), 25);
  assert.equal(r.trapped, null);
  assert.ok(r.status >= 0, `status ${r.status}`);
  const out = decodeOutput(r.output!);
  return { values: out.records.map((x) => txt(x.value)!), error: out.error?.hint ?? null };
}

test('JSON: parse then write gives the same value as JavaScript', async () => {
  const p = await ProbeInstance.create();
  fc.assert(
    fc.property(fc.jsonValue({ maxDepth: 4 }), (value) => {
      const text = JSON.stringify(value);
      const out = mapValues(p, 'map_json', [text]);
      assert.equal(out.error, null);
      assert.deepEqual(JSON.parse(out.values[0]), JSON.parse(text));
    }),
    { numRuns: 300 },
  );
});

test('JSON: compact output matches JSON.stringify for ordinary documents', async () => {
  const p = await ProbeInstance.create();
  const docs = [
    '{"a":1,"b":[true,false,null],"c":{"d":"e\\"f\\\\g"},"n":-12.5,"big":12345678901234567890,"e":1e-7}',
    '  [ 1 , 2.0 , -0 , 0.1 , 1e21 , 1E+2 , "\\u00e9\\ud83d\\ude00\\n\\t\\u0001" ]  ',
    '"\\/"',
    '{"emoji":"😀","cjk":"漢字","ctl":"\\u001f\\b\\f\\r"}',
  ];
  for (const doc of docs) {
    const out = mapValues(p, 'map_json', [doc]);
    assert.equal(out.values[0], JSON.stringify(JSON.parse(doc)), doc);
  }
  // large integers survive exactly (JavaScript's own JSON would round them)
  assert.deepEqual(mapValues(p, 'map_json', ['[9007199254740993,-9223372036854775808]']).values, ['[9007199254740993,-9223372036854775808]']);
});

test('JSON: malformed documents are errors with a position, never traps', async () => {
  const p = await ProbeInstance.create();
  const cases: Array<[string, RegExp]> = [
    ['', /expected a value at end of input/],
    ['{', /expected a string key at end of input/],
    ['{"a" 1}', /expected ':' at byte 5/],
    ['[1,]', /unexpected character at byte 3/],
    ['[1 2]', /expected ',' or '\]' at byte 3/],
    ['01', /unexpected trailing characters at byte 1/],
    ['"abc', /unterminated string/],
    ['"a\u0001"', /control character in string at byte 2/],
    ['"\\x"', /bad escape at byte 2/],
    ['"\\u12"', /bad \\u escape/],
    ['tru', /unexpected character at byte 0/],
    ['1.', /bad number/],
    ['-', /bad number/],
    ['1e', /bad number/],
    ['{"a":1} x', /unexpected trailing characters at byte 8/],
    ['['.repeat(300), /nesting deeper than 256/],
  ];
  for (const [doc, hint] of cases) {
    const out = mapValues(p, 'map_json', [doc]);
    assert.equal(out.values.length, 0, doc);
    assert.match(out.error ?? '', hint, doc);
    assert.throws(() => JSON.parse(doc), SyntaxError, `JavaScript accepts ${doc}`);
  }
  fc.assert(
    fc.property(fc.string({ maxLength: 40 }), (s) => {
      let valid = true;
      try {
        JSON.parse(s);
      } catch {
        valid = false;
      }
      const out = mapValues(p, 'map_json', [s]);
      assert.equal(out.error === null, valid, JSON.stringify(s));
    }),
    { numRuns: 500 },
  );
});

test('numbers: integers parse exactly across the i64 range and reject everything else', async () => {
  const p = await ProbeInstance.create();
  fc.assert(
    fc.property(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), (n) => {
      assert.deepEqual(mapValues(p, 'map_int', [n.toString(), ` +${n < 0n ? -n : n}\n`]).values, [n.toString(), (n < 0n ? -n : n).toString()].map((v, i) => (i === 1 && n === -(2n ** 63n) ? 'ERR' : v)));
    }),
    { numRuns: 300 },
  );
  const cases: Array<[string, string]> = [
    ['9223372036854775807', '9223372036854775807'],
    ['9223372036854775808', 'ERR'],
    ['-9223372036854775808', '-9223372036854775808'],
    ['-9223372036854775809', 'ERR'],
    ['', 'ERR'],
    ['-', 'ERR'],
    ['1.0', 'ERR'],
    ['1_000', 'ERR'],
    ['0x10', 'ERR'],
    ['007', '7'],
  ];
  assert.deepEqual(mapValues(p, 'map_int', cases.map((c) => c[0])).values, cases.map((c) => c[1]));
});

test('numbers: floats parse to the nearest double, as Number() does, and print so they read back exactly', async () => {
  const p = await ProbeInstance.create();
  fc.assert(
    fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (x) => {
      const inputs = [String(x), x.toExponential(20), x.toPrecision(17)];
      const printed = mapValues(p, 'map_float', inputs).values;
      for (let i = 0; i < inputs.length; i++) assert.equal(Number(printed[i]), Number(inputs[i]), `${inputs[i]} printed as ${printed[i]}`);
    }),
    { numRuns: 500 },
  );
  // arbitrary decimal text, including long mantissas and extreme exponents
  const decimal = fc.tuple(
    fc.constantFrom('', '-', '+'),
    fc.stringMatching(/^[0-9]{1,40}$/),
    fc.option(fc.stringMatching(/^[0-9]{1,40}$/), { nil: undefined }),
    fc.option(fc.integer({ min: -360, max: 330 }), { nil: undefined }),
  ).map(([sign, int, frac, exp]) => `${sign}${int}${frac === undefined ? '' : '.' + frac}${exp === undefined ? '' : 'e' + exp}`);
  fc.assert(
    fc.property(decimal, (text) => {
      const [printed] = mapValues(p, 'map_float', [text]).values;
      const expected = Number(text);
      if (Number.isFinite(expected)) assert.equal(Number(printed), Object.is(expected, -0) ? 0 : expected, text);
      else assert.equal(printed, 'null', text);
    }),
    { numRuns: 800 },
  );
  // halfway cases and the ends of the range
  const edges = [
    '9007199254740993', '9007199254740995', '2.2250738585072011e-308', '2.2250738585072012e-308',
    '4.9406564584124654e-324', '2.4703282292062327e-324', '2.4703282292062328e-324', '1.7976931348623158e308',
    '1.7976931348623159e308', '0.1000000000000000055511151231257827021181583404541015625',
    '9.007199058884143e+38', '-1.4304069288055402e-306', '1' + '0'.repeat(400) + 'e-400',
  ];
  const printed = mapValues(p, 'map_float', edges).values;
  edges.forEach((e, i) => assert.equal(Number(printed[i]), Number.isFinite(Number(e)) ? Math.abs(Number(e)) * Math.sign(Number(e)) : NaN, e));
  const cases = ['1', '-2.5', '.5', '5.', '1e3', '1E-3', '  42 ', 'abc', '1e', '--1', 'Infinity', 'NaN', '0x10', '', '100', '0.1', '1e21'];
  const expected = cases.map((c) => {
    const valid = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/.test(c);
    return valid ? String(Number(c)) : 'ERR';
  });
  assert.deepEqual(mapValues(p, 'map_float', cases).values, expected);
  assert.deepEqual(mapValues(p, 'map_float', ['1e400', '-1e400']).values, ['null', 'null']);
});
