import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { recordFormatter } from './record_format.ts';
import type { RecordView } from './record_format.ts';

const rec = (key: string | null, value: string, offset = 5, partition = 1, timestamp = 0): RecordView => ({
  key: key === null ? null : Buffer.from(key), value: Buffer.from(value), offset, partition, timestamp,
});

test('text, -k, template, raw and table', () => {
  assert.equal(recordFormatter({ output: 'text' })(rec('k', 'v')), 'v\n');
  assert.equal(recordFormatter({ output: 'text', keyValue: true })(rec('k', 'v')), '[k] v\n');
  assert.equal(recordFormatter({ output: 'text', keyValue: true })(rec(null, 'v')), '[null] v\n');
  assert.equal(recordFormatter({ output: 'text', format: '{{partition}}/{{offset}} {{key}}={{value}} @{{time}}' })(rec(null, 'v')),
    '1/5 null=v @1970-01-01T00:00:00.000Z\n');
  assert.deepEqual(recordFormatter({ output: 'raw' })(rec('k', 'v\n')), Buffer.from('v\n'));
  const table = recordFormatter({ output: 'table' });
  const first = table(rec('k', 'a\nb')) as string;
  assert.match(first, /^PARTITION\s+OFFSET\s+KEY\s+TIMESTAMP\s+VALUE\n1\s+5\s+k\s+1970-01-01T00:00:00.000Z\s+a\\nb\n$/);
  assert.doesNotMatch(table(rec('k', 'c')) as string, /PARTITION/);
});

test('json output round-trips any utf-8 key and value', () => {
  const fmt = recordFormatter({ output: 'json' });
  fc.assert(fc.property(fc.option(fc.string()), fc.string(), fc.nat(), fc.nat(1000), (k, v, off, p) => {
    const line = fmt(rec(k, v, off, p, 1700000000000)) as string;
    assert.ok(line.endsWith('\n') && !line.slice(0, -1).includes('\n'));
    assert.deepEqual(JSON.parse(line), { partition: p, offset: off, timestamp: 1700000000000, key: k, value: v });
  }));
});

test('-O json --json-bytes base64 keeps binary keys and values exact', () => {
  const r = { partition: 0, offset: 7, timestamp: 1, key: Buffer.from([0xff, 0x00]), value: Buffer.from([0x80, 0x41, 0xfe]) };
  const utf8 = JSON.parse(recordFormatter({ output: 'json' })(r) as string);
  assert.equal(utf8.value, '\uFFFDA\uFFFD');
  const b64 = JSON.parse(recordFormatter({ output: 'json', jsonBytes: 'base64' })(r) as string);
  assert.deepEqual([Buffer.from(b64.key, 'base64'), Buffer.from(b64.value, 'base64')], [r.key, r.value]);
});
