import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeInitOutput, decodeLookBackOutput, decodeTransformOutput, OutputDecodeError } from './output_codec.ts';
import { encodeRecords } from '../test/records.ts';

const fromHex = (h: string): Uint8Array => Uint8Array.from(Buffer.from(h.replace(/\s/g, ''), 'hex'));
const ascii = (s: string): string => Buffer.from(s).toString('hex');

function decode(bytes: Uint8Array, aggregate = false) {
  // place the output at an offset inside a bigger "memory", as a guest would
  const mem = new Uint8Array(bytes.length + 10);
  mem.set(bytes, 7);
  return { mem, out: decodeTransformOutput(mem, new DataView(mem.buffer), 7, bytes.length, aggregate) };
}

test('SmartModuleOutput without error: successes are the records section as is', () => {
  const section = encodeRecords([{ value: 'apple' }, { key: 'k', value: 'banana' }]);
  const bytes = new Uint8Array(section.length + 1);
  bytes.set(section); // then the error Option byte = 0
  const { mem, out } = decode(bytes);
  assert.equal(out.count, 2);
  assert.equal(out.error, null);
  assert.deepEqual(mem.subarray(out.recordsStart, out.recordsEnd), section);
});

test('SmartModuleOutput with a transform runtime error', () => {
  const bytes = fromHex(
    '00000000' + // no successes
      '01' + // Some(error)
      '0005' + ascii('oops!') + // hint
      '000000000000002a' + // offset 42
      '04' + // kind FilterMap
      '01' + '06' + ascii('key') + // record_key Some, varint 3 (zigzag 6)
      '0a' + ascii('value'), // record_value varint 5 (zigzag 10)
  );
  const { out } = decode(bytes);
  assert.deepEqual(out.error, {
    hint: 'oops!',
    offset: 42,
    kindCode: 4,
    recordKey: Uint8Array.from(Buffer.from('key')),
    recordValue: Uint8Array.from(Buffer.from('value')),
  });
});

test('SmartModuleAggregateOutput carries the accumulator after the error option', () => {
  const section = encodeRecords([{ value: 'ab' }]);
  const bytes = new Uint8Array([...section, 0, 0, 0, 0, 2, 0x61, 0x62]);
  const { out } = decode(bytes, true);
  assert.equal(out.count, 1);
  assert.deepEqual([...out.accumulator!], [0x61, 0x62]);
});

test('init output is a hint string; look-back output is an error without kind', () => {
  const init = fromHex('0004' + ascii('nope'));
  assert.equal(decodeInitOutput(init, new DataView(init.buffer), 0, init.length), 'nope');
  const lb = fromHex('0002' + ascii('no') + 'ffffffffffffffff' + '00' + '02' + ascii('x'));
  assert.deepEqual(decodeLookBackOutput(lb, new DataView(lb.buffer), 0, lb.length), {
    hint: 'no',
    offset: -1,
    recordKey: null,
    recordValue: Uint8Array.from([0x78]),
  });
});

test('truncated or inconsistent outputs are refused, never read past their length', () => {
  const section = encodeRecords([{ value: 'apple' }]);
  const full = new Uint8Array([...section, 0]);
  fc.assert(
    fc.property(fc.integer({ min: 0, max: full.length - 1 }), (cut) => {
      assert.throws(() => decode(full.subarray(0, cut)), RangeError);
    }),
  );
  assert.throws(() => decode(fromHex('00000000' + '07')), /bool byte 7/);
  const mem = new Uint8Array(8);
  assert.throws(() => decodeTransformOutput(mem, new DataView(mem.buffer), 4, 100, false), OutputDecodeError);
});
