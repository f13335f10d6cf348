import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ErrorCode } from './error_code.ts';
import { OffsetOutOfRangeError, offsetOutOfRangeMessage } from './eddy_error.ts';

test('an out-of-range message names the offsets held exactly: the high watermark is the next offset, not one held', () => {
  const e = new OffsetOutOfRangeError(10, 4700, 5000);
  assert.equal(e.code, ErrorCode.OffsetOutOfRange);
  assert.equal(e.retriable, false);
  assert.equal(e.message, 'offset 10 is out of range: the log holds offsets 4700 to 4999 (next offset 5000)');
  assert.equal(new OffsetOutOfRangeError(10, 5000, 5000).message, 'offset 10 is out of range: the log is empty (next offset 5000)');
  assert.equal(new OffsetOutOfRangeError(3, 0, 1).message, 'offset 3 is out of range: the log holds offsets 0 to 0 (next offset 1)');
  assert.equal(offsetOutOfRangeMessage(-1, 0, 0, 'partition t/2'), 'offset -1 is out of range: partition t/2 is empty (next offset 0)');
});

test('the last offset named is always one below the next offset, and the message is one line', () => {
  fc.assert(fc.property(fc.nat(), fc.nat({ max: 1_000_000 }), fc.integer(), (start, count, offset) => {
    const m = offsetOutOfRangeMessage(offset, start, start + count);
    assert.ok(!m.includes('\n'));
    const held = /holds offsets (\d+) to (\d+) \(next offset (\d+)\)$/.exec(m);
    if (count === 0) assert.match(m, /is empty \(next offset \d+\)$/);
    else {
      assert.ok(held, m);
      assert.equal(Number(held[1]), start);
      assert.equal(Number(held[2]) + 1, Number(held[3]));
      assert.equal(Number(held[3]), start + count);
    }
  }));
});
