import { test } from 'node:test';
import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import fc from 'fast-check';
import * as snappy from 'snappy';
import * as lz4 from 'lz4-napi';
import {
  Compression,
  type CompressionCode,
  CompressionError,
  compress,
  compressAsync,
  compressionName,
  decompress,
  decompressAsync,
  parseCompression,
} from './compression.ts';

const CODES: CompressionCode[] = [0, 1, 2, 3, 4];

test('compression names and codes', () => {
  assert.deepEqual(Compression, { none: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 });
  for (const name of ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const) {
    assert.equal(parseCompression(name), Compression[name]);
    assert.equal(compressionName(Compression[name]), name);
  }
  assert.equal(parseCompression(' ZSTD '), 4);
  assert.throws(() => parseCompression('brotli'), (e: unknown) => e instanceof CompressionError && /unknown compression 'brotli' \(expected one of: none, gzip, snappy, lz4, zstd\)/.test(e.message));
  assert.throws(() => parseCompression('toString'), CompressionError);
  assert.throws(() => compressionName(5), /unknown compression code 5/);
  assert.throws(() => compress(7 as CompressionCode, Buffer.from('x')), CompressionError);
});

test('none is the identity without a copy', () => {
  const b = Buffer.from('abc');
  assert.equal(compress(0, b), b);
  assert.equal(decompress(0, b), b);
});

test('sync round trip for every codec', () => {
  fc.assert(
    fc.property(fc.constantFrom(...CODES), fc.uint8Array({ maxLength: 2000 }), fc.boolean(), (code, data, repetitive) => {
      const input = repetitive ? Buffer.from(Buffer.from(data).toString('hex').repeat(3)) : Buffer.from(data);
      const c = compress(code, input);
      assert.deepEqual(decompress(code, c), input);
    }),
    { numRuns: 300 },
  );
});

test('large input (several snappy chunks) round trips sync and async, across both', async () => {
  const big = Buffer.alloc(300_000);
  for (let i = 0; i < big.length; i++) big[i] = (i * 7) % 251 < 200 ? 97 : i & 0xff;
  for (const code of CODES) {
    const s = compress(code, big);
    const a = await compressAsync(code, big);
    assert.deepEqual(decompress(code, a), big, `sync decode of async ${code}`);
    assert.deepEqual(await decompressAsync(code, s), big, `async decode of sync ${code}`);
    if (code !== 0) assert.ok(s.length < big.length / 2, `codec ${code} compresses`);
  }
});

test('formats are the standard ones (readable by reference decoders)', async () => {
  const data = Buffer.from('FLUVIO_' + 'A'.repeat(100) + 'eddy'.repeat(50));
  assert.deepEqual(zlib.gunzipSync(compress(1, data)), data);
  assert.deepEqual(zlib.zstdDecompressSync(compress(4, data)), data);
  assert.deepEqual(lz4.decompressFrameSync(compress(3, data)), data);
  // Snappy framing format: the streaming decoder of the snappy package reads ours...
  const dec = new snappy.Decompressor();
  const head = dec.update(compress(2, data));
  const tail = await dec.finish();
  assert.deepEqual(Buffer.concat([head, tail]), data);
  // ...and ours reads its streaming encoder's output.
  const enc = new snappy.Compressor();
  const framed = Buffer.concat([enc.update(data), await enc.finish()]);
  assert.deepEqual(decompress(2, framed), data);
  // Stream identifier first, then a compressed chunk (type 0) with masked CRC.
  const ours = compress(2, data);
  assert.equal(ours.subarray(0, 10).toString('hex'), 'ff060000734e61507059');
  assert.equal(ours[10], 0x00);
  // Incompressible data goes in an uncompressed chunk (type 1).
  const noise = Buffer.from(Array.from({ length: 64 }, (_, i) => (i * 97 + 13) & 0xff));
  const framedNoise = compress(2, noise);
  assert.equal(framedNoise[10], 0x01);
  assert.deepEqual(decompress(2, framedNoise), noise);
});

test('corrupt input gives a CompressionError naming the codec', () => {
  const data = Buffer.from('hello hello hello hello hello hello');
  for (const code of [1, 2, 3, 4] as const) {
    const c = Buffer.from(compress(code, data));
    const bad = c.subarray(0, Math.max(1, c.length - 5));
    assert.throws(() => decompress(code, bad), (e: unknown) => e instanceof CompressionError && e.message.startsWith(`${compressionName(code)} decompression failed`), `codec ${code}`);
  }
  const s = Buffer.from(compress(2, data));
  s[14] ^= 1; // inside the masked CRC of the first chunk
  assert.throws(() => decompress(2, s), /checksum/);
  assert.throws(() => decompress(2, Buffer.from([0x00, 0x01, 0x00, 0x00, 0x00])), /stream identifier/);
});

test('maxOutputLength rejects oversized output', async () => {
  const data = Buffer.alloc(100_000, 1);
  for (const code of [1, 2, 3, 4] as const) {
    const c = compress(code, data);
    assert.throws(() => decompress(code, c, { maxOutputLength: 1000 }), CompressionError, `sync ${code}`);
    await assert.rejects(decompressAsync(code, c, { maxOutputLength: 1000 }), CompressionError, `async ${code}`);
    assert.equal(decompress(code, c, { maxOutputLength: 100_000 }).length, 100_000);
  }
});
