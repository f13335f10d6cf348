import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compileTemplate, formatTime, TEMPLATE_VARIABLES } from './template.ts';
import type { TemplateFields } from './template.ts';
import { ParseError } from '../parse/parse_error.ts';

const fields: TemplateFields = { key: 'k1', value: 'v1', offset: '7', partition: '2', time: '2024-01-02T03:04:05.006Z' };

test('renders each variable', () => {
  assert.equal(compileTemplate('Offset {{offset}} has key {{key}} and value {{value}}').render(fields), 'Offset 7 has key k1 and value v1');
  assert.equal(compileTemplate('{{ partition }}:{{time}}').render(fields), '2:2024-01-02T03:04:05.006Z');
  assert.equal(compileTemplate('plain').render(fields), 'plain');
  assert.equal(compileTemplate('{{value}}{{value}}').render(fields), 'v1v1');
  assert.deepEqual([...compileTemplate('{{key}} {{time}}').uses].sort(), ['key', 'time']);
});

test('unknown variables are a ParseError naming the variable', () => {
  assert.throws(() => compileTemplate('{{nope}}'), (e: unknown) => e instanceof ParseError && e.message.includes('{{nope}}'));
  assert.throws(() => compileTemplate('{{}}'), ParseError);
});

test('rendering equals naive substitution for any literal text and variables', () => {
  const literal = fc.string({ maxLength: 8 }).filter((s) => !s.includes('{') && !s.includes('}'));
  fc.assert(fc.property(
    fc.array(fc.tuple(literal, fc.constantFrom(...TEMPLATE_VARIABLES)), { maxLength: 6 }), literal,
    fc.record({ key: fc.string(), value: fc.string(), offset: fc.string(), partition: fc.string(), time: fc.string() }),
    (parts, tail, f) => {
      const template = parts.map(([lit, v]) => `${lit}{{${v}}}`).join('') + tail;
      const expected = parts.map(([lit, v]) => lit + f[v]).join('') + tail;
      assert.equal(compileTemplate(template).render(f), expected);
    },
  ));
});

test('time is RFC 3339 UTC, NA when missing', () => {
  assert.equal(formatTime(0), '1970-01-01T00:00:00.000Z');
  assert.equal(formatTime(-1), 'NA');
  fc.assert(fc.property(fc.integer({ min: 0, max: 4102444800000 }), (ms) => {
    const t = formatTime(ms);
    assert.match(t, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    assert.equal(Date.parse(t), ms);
  }));
});
