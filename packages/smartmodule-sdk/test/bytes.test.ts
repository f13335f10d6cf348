// The SDK's byte search (valueContains, keyContains: a SWAR scan for the needle's first byte)
// against Buffer.indexOf, on random haystacks and needles drawn from a small alphabet so that
// partial matches, matches at every alignment and at both ends are common.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ProbeInstance } from './probe.ts';

test('indexOfBytes finds the first occurrence exactly as Buffer.indexOf does', async () => {
  const probe = await ProbeInstance.create();
  const alloc = probe.exports.alloc as (n: number) => number;
  const indexOf = probe.exports.index_of as (h: number, hl: number, n: number, nl: number) => number;
  const hayPtr = alloc(600); // one region: the SDK's alloc hands its input buffer out again
  const needlePtr = hayPtr + 560;
  const bytes = (max: number) => fc.uint8Array({ minLength: 0, maxLength: max }).map((a) => a.map((b) => [0x00, 0x01, 0x61, 0x62, 0x80, 0xff][b % 6]));
  fc.assert(fc.property(bytes(300), bytes(6), fc.nat(7), (hay, needle, shift) => {
    const mem = new Uint8Array((probe.exports.memory as WebAssembly.Memory).buffer);
    mem.set(hay, hayPtr + shift); // every alignment of the haystack
    mem.set(needle, needlePtr);
    const expected = Buffer.from(hay).indexOf(Buffer.from(needle));
    assert.equal(indexOf(hayPtr + shift, hay.length, needlePtr, needle.length), needle.length === 0 ? 0 : expected);
  }), { numRuns: 3000 });
});
