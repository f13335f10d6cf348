import { test } from 'node:test';
import assert from 'node:assert/strict';
import YAML from 'yaml';
import type { Topic } from '@eddy/protocol';
import { formatAge, formatBytes, formatDuration, formatObjects, formatTable, parseOutputFormat } from './output.ts';

const topic: Topic = {
  name: 'events',
  spec: { partitions: 3, replicationFactor: 1, retentionMs: 7 * 86_400_000, retentionBytes: -1, segmentBytes: 1 << 30, maxRecordBytes: 1 << 20, compression: 'any', flush: 'os' },
  status: { resolution: 'Provisioned', reason: '', partitions: [] },
};

test('table: header row and one row per object, columns aligned, no borders or colours', () => {
  const out = formatObjects('topic', [topic, { ...topic, name: 'a-much-longer-topic-name' }], 'table');
  const lines = out.trimEnd().split('\n');
  assert.equal(lines.length, 3);
  assert.match(lines[0], /^NAME\s+PARTITIONS\s+REPLICAS\s+RETENTION TIME/);
  assert.match(lines[1], /^events\s+3\s+1\s+7d\s+unlimited\s+1 GiB\s+any\s+os\s+Provisioned$/);
  assert.equal(lines[0].indexOf('PARTITIONS'), lines[2].indexOf('3'));
  assert.ok(!/\x1b\[/.test(out), 'no ANSI colour codes');
});

test('json and yaml carry the whole spec/status object', () => {
  assert.deepEqual(JSON.parse(formatObjects('topic', [topic], 'json')), [topic]);
  assert.deepEqual(YAML.parse(formatObjects('topic', [topic], 'yaml')), [topic]);
  const withBytes = formatObjects('consumer', [{ consumer: 'c', topic: 't', partition: 0, offset: 5, modifiedMs: 0 }], 'json');
  assert.equal(JSON.parse(withBytes)[0].offset, 5);
});

test('table of nothing is just the header', () => {
  assert.equal(formatTable([], [{ header: 'A', cell: () => 1 }]).trim(), 'A');
});

test('units', () => {
  assert.equal(formatDuration(-1), 'unlimited');
  assert.equal(formatDuration(90 * 60_000), '1h 30m');
  assert.equal(formatDuration(250), '250ms');
  assert.equal(formatBytes(512), '512 B');
  assert.equal(formatBytes(1536), '1.5 KiB');
  assert.equal(formatBytes(-1), 'unlimited');
  assert.equal(formatAge(1000, 61_000), '1m ago');
  assert.equal(parseOutputFormat(' YAML '), 'yaml');
  assert.throws(() => parseOutputFormat('xml'), /unknown output format 'xml'/);
});
