import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { framed, FrameTooLargeError } from './frame.ts';
import { FrameOrigin, FrameReader } from './frame_reader.ts';

/** Feeds `stream` through the reader the way a socket does: each read fills part of readBuffer(). */
function feed(reader: FrameReader, stream: Buffer, cuts: number[], onFrame: (b: Buffer, o: FrameOrigin) => void): void {
  let pos = 0;
  let i = 0;
  while (pos < stream.length) {
    const target = reader.readBuffer();
    assert.ok(target.length > 0, 'the reader always offers room');
    const n = Math.min(cuts[i++ % cuts.length], target.length, stream.length - pos);
    stream.copy(target, 0, pos, pos + n);
    pos += n;
    reader.bytesRead(n, onFrame);
  }
}

test('frames come out whole and in order for any read sizes; bodies are never written again', () => {
  fc.assert(fc.property(
    fc.array(fc.integer({ min: 0, max: 3000 }), { minLength: 1, maxLength: 10 }),
    fc.array(fc.integer({ min: 1, max: 2000 }), { minLength: 1, maxLength: 8 }),
    fc.integer({ min: 16, max: 1200 }),
    (sizes, cuts, scratchBytes) => {
      const bodies = sizes.map((n, i) => Buffer.alloc(n, (i * 31 + n) & 0xff));
      const stream = Buffer.concat(bodies.flatMap((b) => framed([b])));
      let allocated = 0;
      const reader = new FrameReader({ maxFrameBytes: 4096, scratchBytes, allocate: (n) => { allocated++; return Buffer.allocUnsafe(n + 7); } });
      const out: Buffer[] = [];
      const origins: FrameOrigin[] = [];
      feed(reader, stream, cuts, (b, o) => { out.push(b); origins.push(o); });
      assert.deepEqual(out.map((b) => b.toString('hex')), bodies.map((b) => b.toString('hex')));
      assert.equal(reader.pending, 0);
      // Frames that cannot fit in the scratch get their own (allocated) body; others are copies.
      for (let i = 0; i < sizes.length; i++) {
        assert.equal(origins[i], 4 + sizes[i] > scratchBytes ? FrameOrigin.allocated : FrameOrigin.copied, `frame ${i} of ${sizes[i]} bytes`);
      }
      assert.equal(allocated, origins.filter((o) => o === FrameOrigin.allocated).length);
    },
  ), { numRuns: 300 });
});

test('a large frame is read straight into its body: after the prefix, reads target the body', () => {
  const reader = new FrameReader({ scratchBytes: 64, maxFrameBytes: 1 << 20 });
  const body = Buffer.alloc(1000, 9);
  const [size] = framed([body]);
  const first = reader.readBuffer();
  size.copy(first);
  body.copy(first, 4, 0, 60);
  reader.bytesRead(64, () => assert.fail('not complete yet'));
  const target = reader.readBuffer();
  assert.equal(target.length, 940, 'the rest of the body');
  body.copy(target, 0, 60);
  let got: Buffer | null = null;
  reader.bytesRead(940, (b) => { got = b; });
  assert.equal(target.buffer, got!.buffer, 'no copy of the tail');
  assert.deepEqual(got, body);
});

test('a bad size prefix throws and keeps the bytes after it for an error reply', () => {
  const reader = new FrameReader({ maxFrameBytes: 100 });
  const t = reader.readBuffer();
  t.writeInt32BE(101, 0);
  t.writeUInt16BE(7, 4);
  t.writeInt16BE(0, 6);
  t.writeInt32BE(42, 8);
  assert.throws(() => reader.bytesRead(12, () => {}), FrameTooLargeError);
  assert.equal(reader.afterBadPrefix!.readInt32BE(4), 42);
  const neg = new FrameReader({ maxFrameBytes: 100 });
  neg.readBuffer().writeInt32BE(-5, 0);
  assert.throws(() => neg.bytesRead(4, () => {}), FrameTooLargeError);
});

test('partialFrame: the declared size and the body bytes at hand of a frame cut anywhere', () => {
  fc.assert(fc.property(
    fc.array(fc.integer({ min: 0, max: 3000 }), { minLength: 1, maxLength: 6 }),
    fc.array(fc.integer({ min: 1, max: 2000 }), { minLength: 1, maxLength: 8 }),
    fc.integer({ min: 16, max: 1200 }),
    fc.nat(),
    (sizes, cuts, scratchBytes, cutAt) => {
      const bodies = sizes.map((n, i) => Buffer.alloc(n, (i * 31 + n) & 0xff));
      const stream = Buffer.concat(bodies.flatMap((b) => framed([b])));
      const cut = cutAt % (stream.length + 1);
      const reader = new FrameReader({ maxFrameBytes: 4096, scratchBytes });
      feed(reader, stream.subarray(0, cut), cuts, () => {});
      // Where the cut falls: inside which frame, and how far into it.
      let start = 0;
      let i = 0;
      while (i < sizes.length && start + 4 + sizes[i] <= cut) start += 4 + sizes[i++];
      const into = cut - start;
      const partial = reader.partialFrame();
      if (into < 4) {
        assert.equal(partial, null);
      } else {
        assert.equal(partial!.declared, sizes[i]);
        assert.deepEqual(partial!.body, bodies[i].subarray(0, into - 4));
      }
      assert.equal(reader.pending, into);
    },
  ), { numRuns: 300 });
});

test('a scratch buffer given in the options is the one reads land in', () => {
  const scratch = Buffer.alloc(256);
  const reader = new FrameReader({ maxFrameBytes: 4096, scratch });
  assert.equal(reader.scratch, scratch);
  const target = reader.readBuffer();
  assert.equal(target.buffer, scratch.buffer);
  assert.equal(target.byteOffset, scratch.byteOffset);
  const frame = framed([Buffer.from('hello')]);
  const stream = Buffer.concat(frame);
  stream.copy(target);
  const out: string[] = [];
  reader.bytesRead(stream.length, (b) => out.push(b.toString()));
  assert.deepEqual(out, ['hello']);
  assert.throws(() => new FrameReader({ scratch: Buffer.alloc(3) }), RangeError);
});
