import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { headersBytes } from '@eddy/protocol/internal';
import { recordSize } from './accumulator.ts';
import { OutgoingRecord } from './outgoing_record.ts';

test('read() takes a record as the accumulator needs it: key bytes, lengths, headers and size', () => {
  const r = new OutgoingRecord().read('kë', 'välue', 7, { a: 'x', b: new Uint8Array([1, 2]) }, 3);
  assert.deepEqual(r.key, Buffer.from('kë'));
  assert.equal(r.keyLength, 3);
  assert.equal(r.value, 'välue');
  assert.equal(r.valueLength, 6);
  assert.equal(r.timestamp, 7);
  assert.deepEqual(r.headers, [['a', Buffer.from('x')], ['b', new Uint8Array([1, 2])]]);
  assert.equal(r.headerBytes, headersBytes(r.headers!));
  assert.equal(r.partition, 3);
  assert.equal(r.size, recordSize(3, 6, r.headerBytes));
  // Refilled without a key, timestamp or headers: nothing of the previous record stays.
  r.read(null, new Uint8Array(4), undefined, [['h', 'v']], undefined);
  assert.equal(r.key, null);
  assert.equal(r.keyLength, -1);
  assert.ok(Number.isNaN(r.timestamp));
  assert.equal(r.headers!.length, 1);
  assert.equal(r.partition, undefined);
});

test('readValue() of a bare value equals read() with nothing but the value, and copy() keeps every field', () => {
  fc.assert(fc.property(fc.oneof(fc.string(), fc.uint8Array()), (v) => {
    const a = new OutgoingRecord().read('k', 'x', 1, { h: 'v' }, 0).readValue(v);
    const b = new OutgoingRecord().read(null, v, undefined, undefined, undefined);
    assert.deepEqual({ ...a }, { ...b });
    assert.deepEqual({ ...a.copy() }, { ...a });
  }));
});

test('read() refuses bad fields with a message naming the field', () => {
  const r = new OutgoingRecord();
  assert.throws(() => r.read(5 as never, 'v', undefined, undefined, undefined), /record key must be a string, Uint8Array or null, got number/);
  assert.throws(() => r.read(null, null as never, undefined, undefined, undefined), /record value must be a string or Uint8Array, got null/);
  assert.throws(() => r.read(null, 'v', 1.5, undefined, undefined), /record timestamp must be an integer/);
  assert.throws(() => r.read(null, 'v', undefined, { h: 1 as never }, undefined), /header 'h' value must be a string or Uint8Array, got number/);
});
