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

test('large frames (preallocated or collected) survive any chunking, and returned bodies are never written again', () => {
  fc.assert(fc.property(
    fc.array(fc.integer({ min: 0, max: 5000 }), { minLength: 1, maxLength: 8 }),
    fc.array(fc.integer({ min: 1, max: 1500 }), { minLength: 1, maxLength: 10 }),
    fc.integer({ min: 0, max: 3000 }),
    (sizes, cuts, preallocMax) => {
      const bodies = sizes.map((n, i) => Buffer.alloc(n, (i * 37 + n) & 0xff));
      const stream = Buffer.concat(bodies.flatMap((b) => framed([b])));
      const dec = new FrameDecoder(8192, preallocMax);
      const out: Buffer[] = [];
      const snapshots: string[] = [];
      let pos = 0, i = 0;
      while (pos < stream.length) {
        const n = cuts[i++ % cuts.length];
        // A fresh copy per chunk, as a socket gives them.
        dec.push(Buffer.from(stream.subarray(pos, pos + n)), (f) => { out.push(f); snapshots.push(f.toString('hex')); });
        pos += n;
      }
      assert.equal(out.length, bodies.length);
      // Compared after all pushes: a body the decoder reused would differ from its snapshot.
      assert.deepEqual(out.map((b) => b.toString('hex')), snapshots);
      assert.deepEqual(snapshots, bodies.map((b) => b.toString('hex')));
      assert.equal(dec.pending, 0);
    },
  ), { numRuns: 200 });
});

test('pending counts the bytes of a partial frame, size prefix included', () => {
  const dec = new FrameDecoder(1000);
  const [size, body] = framed([Buffer.alloc(100, 7)]);
  const got: Buffer[] = [];
  dec.push(size.subarray(0, 2), (f) => got.push(f));
  assert.equal(dec.pending, 2);
  dec.push(Buffer.concat([size.subarray(2), body.subarray(0, 10)]), (f) => got.push(f));
  assert.equal(dec.pending, 14);
  dec.push(body.subarray(10), (f) => got.push(f));
  assert.equal(dec.pending, 0);
  assert.equal(got.length, 1);
  assert.deepEqual(got[0], Buffer.alloc(100, 7));
});

test('partialFrame: the declared size and the body bytes at hand of a frame cut anywhere', () => {
  fc.assert(fc.property(
    fc.array(fc.integer({ min: 0, max: 3000 }), { minLength: 1, maxLength: 6 }),
    fc.array(fc.integer({ min: 1, max: 2000 }), { minLength: 1, maxLength: 8 }),
    fc.nat(),
    (sizes, chunks, cutAt) => {
      const bodies = sizes.map((n, i) => Buffer.alloc(n, (i * 31 + n) & 0xff));
      const stream = Buffer.concat(bodies.flatMap((b) => framed([b])));
      const cut = cutAt % (stream.length + 1);
      // Frames above 1000 bytes are collected in parts rather than preallocated.
      const dec = new FrameDecoder(4096, 1000);
      for (let pos = 0, k = 0; pos < cut; k++) {
        const n = Math.min(chunks[k % chunks.length], cut - pos);
        dec.push(stream.subarray(pos, pos + n), () => {});
        pos += n;
      }
      let start = 0;
      let i = 0;
      while (i < sizes.length && start + 4 + sizes[i] <= cut) start += 4 + sizes[i++];
      const into = cut - start;
      const partial = dec.partialFrame();
      if (into < 4) {
        assert.equal(partial, null);
      } else {
        assert.equal(partial!.declared, sizes[i]);
        assert.deepEqual(partial!.body, bodies[i].subarray(0, into - 4));
      }
    },
  ), { numRuns: 300 });
});
