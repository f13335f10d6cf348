// The json-sql SmartModule run through the real engine: Fluvio's mapping parameter in, records
// in Fluvio's SQL model out.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeRecordsSection, visitRecords } from '@eddy/protocol';
import { SmartEngine, SmartModuleInitError } from '@eddy/smartengine';
import { jsonSqlWasm } from '../smartmodule/build.ts';

const utf8 = new TextEncoder();

async function run(mapping: unknown, values: string[]): Promise<{ out: unknown[]; error?: string }> {
  const engine = new SmartEngine({ memoryLimitBytes: 32 * 1024 * 1024, timeBudgetMs: 5000, workers: 1 });
  try {
    const chain = await engine.chain([{ name: 'json-sql', wasm: await jsonSqlWasm(), params: { mapping: JSON.stringify(mapping) } }]);
    try {
      const records = encodeRecordsSection(values.map((v, i) => ({ key: null, value: utf8.encode(v), timestamp: 1000 + i })), { firstTimestamp: 1000 });
      const result = await chain.process({ baseOffset: 0, baseTimestamp: 1000, records });
      const out: unknown[] = [];
      visitRecords(result.records, 0, 1000, (r) => { out.push(JSON.parse(r.value().toString('utf8'))); });
      return { out, ...(result.error ? { error: result.error.message } : {}) };
    } finally {
      await chain.close();
    }
  } finally {
    await engine.close();
  }
}

const MAPPING = {
  table: 'target',
  'map-columns': {
    number: { 'json-key': 'device.number', value: { type: 'int4' } },
    id: { 'json-key': '$.device.id', value: { type: 'int4', default: 0, required: false } },
    first: { 'json-key': '.metrics.0', value: { type: 'text' } },
    ok: { 'json-key': 'ok', value: { type: 'bool' } },
    doc: { 'json-key': '$', value: { type: 'jsonb', required: true } },
  },
};

test('json-sql: json-key paths ($, dots, array indexes), typed values, defaults, optional columns left out', async () => {
  const { out, error } = await run(MAPPING, ['{"device":{"number":1},"metrics":["one","two"],"ok":true}', '{"device":{"number":2,"id":9}}']);
  assert.equal(error, undefined);
  assert.deepEqual(out[0], { Insert: { table: 'target', values: [
    { column: 'number', raw_value: '1', type: 'Int' },
    { column: 'id', raw_value: '0', type: 'Int' },
    { column: 'first', raw_value: 'one', type: 'Text' },
    { column: 'ok', raw_value: 'true', type: 'Bool' },
    { column: 'doc', raw_value: '{"device":{"number":1},"metrics":["one","two"],"ok":true}', type: 'Json' },
  ] } });
  assert.deepEqual(out[1], { Insert: { table: 'target', values: [
    { column: 'number', raw_value: '2', type: 'Int' },
    { column: 'id', raw_value: '9', type: 'Int' },
    { column: 'doc', raw_value: '{"device":{"number":2,"id":9}}', type: 'Json' },
  ] } });
});

test('json-sql: a required value that is missing is an error naming the column; upsert mode gives uniq_idx', async () => {
  const strict = { table: 't', 'map-columns': { n: { 'json-key': 'n', value: { type: 'bigint', required: true } } } };
  const bad = await run(strict, ['{"n":5}', '{"m":1}']);
  assert.deepEqual(bad.out, [{ Insert: { table: 't', values: [{ column: 'n', raw_value: '5', type: 'BigInt' }] } }]);
  assert.match(bad.error ?? '', /required value for column "n"/);
  const up = await run({ ...strict, operation: 'upsert', 'unique-columns': ['n'] }, ['{"n":5}']);
  assert.deepEqual(up.out, [{ Upsert: { table: 't', values: [{ column: 'n', raw_value: '5', type: 'BigInt' }], uniq_idx: 'n' } }]);
});

test('json-sql: init refuses a missing or bad mapping with a hint', async () => {
  for (const [mapping, hint] of [
    [{ 'map-columns': {} }, /mapping.table/],
    [{ table: 't', 'map-columns': { c: { 'json-key': 'a', value: { type: 'money' } } } }, /unknown type "money"/],
  ] as const) {
    await assert.rejects(run(mapping, []), (err: unknown) => {
      assert.ok(err instanceof SmartModuleInitError);
      assert.match(err.hint ?? '', hint);
      return true;
    });
  }
});

test('sql-sink metadata (from the binary): Fluvio\'s shape, a valid draft-07 schema', async () => {
  const { execFileSync } = await import('node:child_process');
  const AjvModule = (await import('ajv')).default as unknown as { default?: new (o: object) => { validateSchema(s: object): boolean; errors: unknown } };
  const Ajv = (AjvModule.default ?? AjvModule) as new (o: object) => { validateSchema(s: object): boolean; errors: unknown };
  const out = execFileSync(process.execPath, [new URL('../bin/sql-sink.ts', import.meta.url).pathname, 'metadata']).toString();
  const md = JSON.parse(out) as { name: string; direction: string; schema: { $schema: string; required: string[] } };
  assert.deepEqual(Object.keys(md), ['name', 'direction', 'schema', 'version', 'description']);
  assert.equal(md.name, 'sql-sink');
  assert.equal(md.direction, 'Sink');
  assert.deepEqual(md.schema.required, ['url']);
  assert.equal(new Ajv({ strict: false }).validateSchema(md.schema), true);
});
