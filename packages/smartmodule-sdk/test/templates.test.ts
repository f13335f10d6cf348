// Every scaffold template compiles without edits, imports only env.copy_records, and does
// what the table in templates/README.md says.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildIfStale } from '../src/build.ts';
import { decodeInitOutput, decodeOutput, encodeInput, encodeParams, encodeRecords, str, txt } from './fluvio_codec.ts';
import { ProbeInstance } from './probe.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const templatesDir = path.join(here, '..', 'templates');

const ENTRY: Record<string, string> = {
  filter: 'filter',
  map: 'map',
  'filter-map': 'filter_map',
  'array-map': 'array_map',
  aggregate: 'aggregate',
};

interface Case {
  params?: Array<[string, string]>;
  input: Array<string | [string, string]>;
  output: Array<string | [string | null, string]>;
}

const CASES: Record<string, Case[]> = {
  filter: [{ input: ['apple', 'kiwi', 'grape'], output: ['apple', 'grape'] }],
  'filter-params': [
    { input: ['apple', 'kiwi', 'grape'], output: ['apple', 'grape'] },
    { params: [['key', 'ki']], input: ['apple', 'kiwi', 'skiing'], output: ['kiwi', 'skiing'] },
  ],
  map: [{ input: ['1', '21', '-4'], output: ['2', '42', '-8'] }],
  'map-params': [
    { input: ['1', '21', '-4'], output: ['2', '42', '-8'] },
    { params: [['factor', '10']], input: ['1', '-3'], output: ['10', '-30'] },
  ],
  'filter-map': [{ input: ['2', '3', '10'], output: ['1', '5'] }],
  'filter-map-params': [
    { input: ['2', '3', '10'], output: ['1', '5'] },
    { params: [['divisor', '3']], input: ['2', '3', '9', '10'], output: ['1', '3'] },
  ],
  'array-map': [{ input: [['k', '["a",1,{"b":true}]']], output: [['k', '"a"'], ['k', '1'], ['k', '{"b":true}']] }],
  'array-map-params': [
    { input: ['["a",1,{"b":true}]'], output: ['"a"', '1', '{"b":true}'] },
    { params: [['key', 'item']], input: ['[1,2]'], output: [['item', '1'], ['item', '2']] },
  ],
  aggregate: [{ input: ['1', '2', '3'], output: ['1', '3', '6'] }],
  'aggregate-params': [
    { input: ['1', '2', '3'], output: ['1', '3', '6'] },
    { params: [['scale', '-2']], input: ['1', '2'], output: ['-2', '-6'] },
  ],
};

const templates = readdirSync(templatesDir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();

test('there is a template for every type, with and without params', () => {
  assert.deepEqual(templates, Object.keys(CASES).sort());
});

for (const name of templates) {
  test(`template ${name} compiles as is and behaves as documented`, async () => {
    const built = await buildIfStale({
      projectDir: path.join(templatesDir, name),
      outFile: path.join(here, '.build', 'templates', `${name}.wasm`),
    });
    const module = await WebAssembly.compile(built.wasm);
    const exports = WebAssembly.Module.exports(module).map((e) => e.name).sort();
    const type = name.replace(/-params$/, '');
    const entry = ENTRY[type];
    assert.deepEqual(exports, ['alloc', 'dealloc', entry, 'memory', ...(name.endsWith('-params') ? ['init'] : [])].sort());
    for (const c of CASES[name]) {
      const p = await ProbeInstance.create(module); // checks the only import is env.copy_records
      if (name.endsWith('-params')) assert.equal(p.call('init', encodeParams(25, c.params ?? []), 25).status, 0);
      const records = encodeRecords(c.input.map((r) => (typeof r === 'string' ? { value: str(r) } : { key: str(r[0]), value: str(r[1]) })));
      const r = p.call(entry, encodeInput({ version: 25, records, ...(type === 'aggregate' ? { accumulator: new Uint8Array(0) } : {}) }), 25);
      assert.equal(r.status, c.output.length);
      const out = decodeOutput(r.output!, type === 'aggregate');
      assert.equal(out.error, null);
      assert.deepEqual(
        out.records.map((x) => [txt(x.key), txt(x.value)]),
        c.output.map((o) => (typeof o === 'string' ? [type === 'array-map' && typeof c.input[0] !== 'string' ? c.input[0][0] : null, o] : o)),
      );
    }
  });
}

test('with-params templates refuse a malformed parameter with a hint', async () => {
  for (const [name, param] of [['map-params', 'factor'], ['filter-map-params', 'divisor'], ['aggregate-params', 'scale']]) {
    const built = await buildIfStale({ projectDir: path.join(templatesDir, name), outFile: path.join(here, '.build', 'templates', `${name}.wasm`) });
    const p = await ProbeInstance.create(await WebAssembly.compile(built.wasm));
    const r = p.call('init', encodeParams(25, [[param, 'lots']]), 25);
    assert.equal(r.status, -2);
    assert.match(decodeInitOutput(r.output!), new RegExp(`parameter "${param}" must be`));
  }
});
