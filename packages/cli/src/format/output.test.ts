import { test } from 'node:test';
import assert from 'node:assert/strict';
import YAML from 'yaml';
import { parseOutputFormat, printResult, renderTable, type Column } from './output.ts';

interface Row { name: string; partitions: number; bytes?: Buffer }
const COLUMNS: Column<Row>[] = [
  { header: 'NAME', cell: (r) => r.name },
  { header: 'PARTITIONS', cell: (r) => r.partitions },
];

function printed(fn: () => void): string {
  const write = process.stdout.write;
  let out = '';
  process.stdout.write = ((chunk: string | Uint8Array) => { out += String(chunk); return true; }) as typeof process.stdout.write;
  try { fn(); } finally { process.stdout.write = write; }
  return out;
}

test('table: a header row and one row per object, columns aligned, no borders or colours', () => {
  const out = renderTable([{ name: 'events', partitions: 3 }, { name: 'a-much-longer-topic-name', partitions: 12 }], COLUMNS);
  const lines = out.trimEnd().split('\n');
  assert.equal(lines.length, 3);
  assert.match(lines[0], /^NAME\s+PARTITIONS$/);
  assert.match(lines[1], /^events\s+3$/);
  assert.equal(lines[0].indexOf('PARTITIONS'), lines[2].indexOf('12'));
  assert.ok(!/\x1b\[|[│─┌]/.test(out), 'no ANSI colour codes or box drawing');
});

test('json and yaml carry the data; buffers become base64, bigints numbers', () => {
  const data = [{ name: 'events', partitions: 3, bytes: Buffer.from('hi'), offset: 5n }];
  assert.deepEqual(JSON.parse(printed(() => printResult('json', data, [], COLUMNS, ''))), [{ name: 'events', partitions: 3, bytes: 'aGk=', offset: 5 }]);
  assert.deepEqual(YAML.parse(printed(() => printResult('yaml', data, [], COLUMNS, ''))), [{ name: 'events', partitions: 3, bytes: 'aGk=', offset: 5 }]);
});

test('a table of nothing prints the empty text', () => {
  assert.equal(printed(() => printResult('table', [], [], COLUMNS, 'no topics')), 'no topics\n');
});

test('-O values', () => {
  assert.equal(parseOutputFormat('YAML'), 'yaml');
  assert.throws(() => parseOutputFormat('xml'), /invalid output format 'xml'/);
});
