import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OffsetStart } from '@eddy/protocol';
import { Offset, OffsetKind } from './offset.ts';

test('offset helpers carry the wire start kind and value', () => {
  assert.deepEqual([Offset.beginning().kind, Offset.beginning().value], [OffsetStart.Beginning, 0]);
  assert.deepEqual([Offset.end().kind, Offset.end().value], [OffsetStart.End, 0]);
  assert.deepEqual([Offset.absolute(42).kind, Offset.absolute(42).value], [OffsetStart.Absolute, 42]);
  assert.deepEqual([Offset.fromEnd(3).kind, Offset.fromEnd(3).value], [OffsetStart.FromEnd, 3]);
  assert.deepEqual([Offset.timestamp(new Date(5)).kind, Offset.timestamp(5).value], [OffsetStart.Timestamp, 5]);
  assert.equal(Offset.fromBeginning(7).kind, OffsetKind.FromBeginning);
  assert.equal(String(Offset.fromEnd(3)), '3 from the end');
});

test('offset helpers reject negative and fractional values', () => {
  for (const f of [() => Offset.absolute(-1), () => Offset.fromEnd(1.5), () => Offset.timestamp(NaN), () => Offset.fromBeginning(-2)]) {
    assert.throws(f, RangeError);
  }
});
