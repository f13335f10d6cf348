import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { crc32c } from './crc32c.ts';

// Bitwise reference (reflected polynomial 0x82F63B78).
function refCrc32c(data: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of data) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

test('crc32c check value', () => {
  assert.equal(crc32c(Buffer.from('123456789')), 0xe3069283);
  assert.equal(crc32c(new Uint8Array(0)), 0);
  assert.equal(refCrc32c(Buffer.from('123456789')), 0xe3069283);
});

test('crc32c matches the reference and chains over pieces', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), fc.uint8Array({ maxLength: 300 }), (a, b) => {
      const whole = Buffer.concat([a, b]);
      assert.equal(crc32c(whole), refCrc32c(whole));
      assert.equal(crc32c(b, crc32c(a)), crc32c(whole));
    }),
    { numRuns: 300 },
  );
});
