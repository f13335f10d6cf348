import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { copyBytes } from './copy_bytes.ts';

test('copyBytes copies between shared, wasm and plain memory at any offset and size', () => {
  const kinds = [
    (n: number) => new Uint8Array(new SharedArrayBuffer(n)),
    (n: number) => new Uint8Array(n),
    (n: number) => new Uint8Array(new WebAssembly.Memory({ initial: Math.ceil(n / 65536) || 1 }).buffer),
  ];
  fc.assert(fc.property(fc.uint8Array({ maxLength: 3000 }), fc.nat(40), fc.nat(40), fc.nat(2), fc.nat(2), (data, srcAt, dstAt, sk, dk) => {
    const srcBuf = kinds[sk](srcAt + data.length + 7);
    srcBuf.set(data, srcAt);
    const src = srcBuf.subarray(srcAt, srcAt + data.length);
    const dst = kinds[dk](dstAt + data.length + 5).fill(0xee);
    copyBytes(src, dst, dstAt);
    assert.deepEqual([...dst.subarray(dstAt, dstAt + data.length)], [...data]);
    assert.ok(dst.subarray(0, dstAt).every((b) => b === 0xee));
    assert.ok(dst.subarray(dstAt + data.length, dstAt + data.length + 5).every((b) => b === 0xee));
  }), { numRuns: 200 });
});
