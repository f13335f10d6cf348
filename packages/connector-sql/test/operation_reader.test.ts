import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OperationReader } from '../src/operation_reader.ts';
import { addToGroups, parseOperation, type OperationGroup } from '../src/sql_operation.ts';

const rec = (i: number, name = `n${i}`): Buffer => Buffer.from(JSON.stringify({ Insert: { table: 't', values: [
  { column: 'id', raw_value: String(i), type: 'Int' }, { column: 'name', raw_value: name, type: 'Text' },
] } }));
const up = (k: string, v: string): Buffer => Buffer.from(JSON.stringify({ Upsert: { table: 'u', values: [
  { column: 'k', raw_value: k, type: 'Text' }, { column: 'v', raw_value: v, type: 'Text' },
] , uniq_idx: 'k' } }));

/** What the full parse gives for the same records (the reference). */
function parsed(records: Buffer[]): OperationGroup[] {
  const groups: OperationGroup[] = [];
  for (const r of records) addToGroups(groups, parseOperation(r, 'r'));
  return groups;
}

function read(records: Buffer[]): OperationGroup[] {
  const reader = new OperationReader();
  const groups: OperationGroup[] = [];
  for (const r of records) reader.add(groups, r, 'r');
  return groups;
}

const shape = (gs: OperationGroup[]) => gs.map((g) => ({ kind: g.kind, table: g.table, uniq: g.uniqIdx, columns: [...g.columns], types: [...g.types], values: g.values, plain: g.plain }));

test('operation reader: canonical records read by template equal the full parse (values, groups, plain flag)', () => {
  const records = [rec(0), rec(1), rec(2, 'é ü ✓'), rec(3, 'say "hi"'), rec(4, 'a\\b'), rec(5, 'tab\there'), rec(6), up('a', '1'), up('a', '2'), rec(7), rec(8)];
  const got = read(records);
  assert.deepEqual(shape(got), shape(parsed(records)));
  assert.equal(got.length, 3);
  assert.deepEqual(got[0].values.slice(4, 6), ['2', 'é ü ✓']);
  assert.equal(got[0].plain, false); // the escaped values went through the full parse
  assert.equal(got[2].plain, true);
});

test('operation reader: other key orders, spaces and truncated or extended records never pass as the template', () => {
  const odd = Buffer.from('{"Insert":{"values":[{"type":"Int","raw_value":"9","column":"id"},{"column":"name","raw_value":"x","type":"Text"}],"table":"t"}}');
  const spaced = Buffer.from(rec(10).toString().replace('"raw_value":', '"raw_value": '));
  const records = [rec(0), odd, spaced, rec(1)];
  assert.deepEqual(shape(read(records)), shape(parsed(records)));
  const reader = new OperationReader();
  const groups: OperationGroup[] = [];
  reader.add(groups, rec(0), 'r');
  assert.throws(() => reader.add(groups, rec(1).subarray(0, 40), 'r2'), /r2: not JSON/);
  assert.throws(() => reader.add(groups, Buffer.concat([rec(1), Buffer.from('x')]), 'r3'), /r3: not JSON/);
  assert.throws(() => reader.add(groups, Buffer.from(rec(1).toString().replace('"Text"', '"Texts"')), 'r4'), /r4: each value/);
  assert.deepEqual(groups.map((g) => g.values), [['0', 'n0']]); // nothing half-added by the failed matches
});
