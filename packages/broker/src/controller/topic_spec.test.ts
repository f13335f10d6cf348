import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { EddyError, ErrorCode } from '@eddy/protocol';
import { TOPIC_DEFAULTS, resolveTopicSpec, validateTopicName } from './topic_spec.ts';

const ALLOWED = 'abcdefghijklmnopqrstuvwxyz0123456789-';

function accepts(name: string): boolean {
  try {
    validateTopicName(name);
    return true;
  } catch (err) {
    assert.ok(err instanceof EddyError);
    assert.equal(err.code, ErrorCode.InvalidTopicName);
    assert.ok(!err.message.includes('\n'));
    return false;
  }
}

test('topic names: 1..63 of [a-z0-9-], not starting or ending with a dash', () => {
  fc.assert(fc.property(fc.string({ unit: fc.constantFrom(...ALLOWED), minLength: 0, maxLength: 70 }), (name) => {
    const expected = name.length >= 1 && name.length <= 63 && !name.startsWith('-') && !name.endsWith('-');
    assert.equal(accepts(name), expected, JSON.stringify(name));
  }));
  fc.assert(fc.property(fc.string({ minLength: 1, maxLength: 20 }), fc.string({ minLength: 1, maxLength: 1 }).filter((c) => !ALLOWED.includes(c)), (base, bad) => {
    assert.equal(accepts(`a${base}${bad}b`.slice(0, 63)), false);
  }));
});

test('spec resolution fills defaults for 0 and empty fields and keeps explicit ones', () => {
  assert.deepEqual(resolveTopicSpec({}), TOPIC_DEFAULTS);
  const s = resolveTopicSpec({ partitions: 3, retentionMs: -1, retentionBytes: 4096, segmentBytes: 2048, maxRecordBytes: 100, compression: 'ZSTD', flush: 'fsync' });
  assert.deepEqual(s, { partitions: 3, replicationFactor: 1, retentionMs: -1, retentionBytes: 4096, segmentBytes: 2048, maxRecordBytes: 100, compression: 'zstd', flush: 'fsync' });
  assert.throws(() => resolveTopicSpec({ partitions: 1.5 }), /partitions/);
  assert.throws(() => resolveTopicSpec({ replicationFactor: 2 }, 1), /exceeds the 1 SPU/);
  assert.equal(resolveTopicSpec({ replicationFactor: 2 }, 3).replicationFactor, 2);
});
