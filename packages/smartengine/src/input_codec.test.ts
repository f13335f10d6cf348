import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { encodeExtraParams, inputSize, writeInput } from './input_codec.ts';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

function input(version: number, records: Uint8Array, params: Uint8Array, acc: Uint8Array | null): Uint8Array {
  const size = inputSize(version, records.length, params.length, acc === null ? null : acc.length);
  const mem = new Uint8Array(size + 3);
  const written = writeInput(mem, new DataView(mem.buffer), 3, version, 0x0102030405060708n, -2n, records, params, acc);
  assert.equal(written, size);
  return mem.subarray(3);
}

const RECORDS = Uint8Array.of(0, 0, 0, 0); // an empty records section

test('SmartModuleInput at version 25: base_offset, raw_bytes, base_timestamp only', () => {
  assert.equal(
    hex(input(25, RECORDS, Uint8Array.of(0, 0, 0), null)),
    '0102030405060708' + '00000004' + '00000000' + 'fffffffffffffffe',
  );
});

test('SmartModuleInput at version 22 carries params, join_record and base_timestamp', () => {
  const params = Uint8Array.of(0xaa, 0xbb);
  assert.equal(
    hex(input(22, RECORDS, params, null)),
    '0102030405060708' + '00000004' + '00000000' + 'aabb' + '00000000' + 'fffffffffffffffe',
  );
});

test('SmartModuleInput at version 16..21 has no base_timestamp', () => {
  for (const v of [16, 19, 21]) {
    assert.equal(hex(input(v, RECORDS, Uint8Array.of(0xcc), null)), '0102030405060708' + '00000004' + '00000000' + 'cc' + '00000000');
  }
});

test('aggregate input appends the accumulator as u32 length + bytes', () => {
  assert.equal(
    hex(input(25, RECORDS, new Uint8Array(0), Uint8Array.of(0x61, 0x62))),
    '0102030405060708' + '00000004' + '00000000' + 'fffffffffffffffe' + '00000002' + '6162',
  );
});

test('extra params: u16 count, pairs sorted by UTF-8 key, then the version-gated lookback', () => {
  const params = { zeta: '1', alpha: 'xy' };
  const map = '0002' + '0005' + hex(Buffer.from('alpha')) + '0002' + hex(Buffer.from('xy')) + '0004' + hex(Buffer.from('zeta')) + '0001' + '31';
  assert.equal(hex(encodeExtraParams(params, { last: 3 }, 19)), map);
  assert.equal(hex(encodeExtraParams(params, undefined, 20)), map + '00');
  assert.equal(hex(encodeExtraParams(params, { last: 3 }, 20)), map + '01' + '0000000000000003');
  assert.equal(hex(encodeExtraParams(params, { last: 3 }, 21)), map + '01' + '0000000000000003' + '00');
  assert.equal(
    hex(encodeExtraParams({}, { ageMs: 1500 }, 25)),
    '0000' + '01' + '0000000000000000' + '01' + '0000000000000001' + '1dcd6500',
  );
});

test('extra params sort by bytes, not UTF-16 code units', () => {
  // U+FF5E sorts after U+1F600 in UTF-16 units but before it in UTF-8 bytes
  const enc = encodeExtraParams({ '\u{1F600}': 'a', '\uFF5E': 'b' }, undefined, 19);
  assert.equal(enc[2 + 2], 0xef); // first key is U+FF5E (ef bd 9e)
});

test('extra params refuse strings longer than a u16 length', () => {
  assert.throws(() => encodeExtraParams({ k: 'x'.repeat(70000) }, undefined, 25), /65535/);
});

test('inputSize agrees with writeInput for every version and shape', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 16, max: 25 }),
      fc.uint8Array({ minLength: 4, maxLength: 50 }),
      fc.uint8Array({ maxLength: 20 }),
      fc.option(fc.uint8Array({ maxLength: 20 }), { nil: null }),
      (v, records, params, acc) => {
        input(v, records, params, acc);
      },
    ),
  );
});
