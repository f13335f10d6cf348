import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { FrameDecoder, FrameTooLargeError, framed } from './frame.ts';

test('frames split at arbitrary chunk boundaries come out whole and in order', () => {
  fc.assert(fc.property(
    fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 12 }),
    fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 10 }),
    (bodies, cuts) => {
      const stream = Buffer.concat(bodies.flatMap((b) => framed([Buffer.from(b)])));
      const dec = new FrameDecoder(1024);
      const out: Buffer[] = [];
      let pos = 0, i = 0;
      while (pos < stream.length) {
        const n = cuts[i++ % cuts.length];
        dec.push(stream.subarray(pos, pos + n), (f) => out.push(Buffer.from(f)));
        pos += n;
      }
      assert.deepEqual(out.map((b) => b.toString('hex')), bodies.map((b) => Buffer.from(b).toString('hex')));
      assert.equal(dec.pending, 0);
    },
  ));
});

test('an oversized or negative size prefix is refused before buffering the body', () => {
  const dec = new FrameDecoder(100);
  const big = Buffer.alloc(4); big.writeInt32BE(101);
  assert.throws(() => dec.push(big, () => {}), FrameTooLargeError);
  const neg = Buffer.alloc(4); neg.writeInt32BE(-1);
  assert.throws(() => new FrameDecoder(100).push(neg, () => {}), FrameTooLargeError);
});
