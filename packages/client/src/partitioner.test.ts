import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { murmur2 } from './murmur2.ts';
import { defaultPartitioner, partitionForKey } from './partitioner.ts';

test('murmur2 matches the vectors from Kafka UtilsTest.testMurmur2', () => {
  const cases: [Uint8Array, number][] = [
    [Buffer.from('21'), -973932308],
    [Buffer.from('foobar'), -790332482],
    [Buffer.from('a-little-bit-long-string'), -985981536],
    [Buffer.from('a-little-bit-longer-string'), -1486304829],
    [Buffer.from('lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8'), -58897971],
    [Buffer.from('abc'), 479470107],
  ];
  for (const [key, want] of cases) assert.equal(murmur2(key), want, Buffer.from(key).toString());
});

test('keyed records: partition in range and a pure function of key and count', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), fc.integer({ min: 1, max: 1000 }), (key, n) => {
    const a = defaultPartitioner();
    const b = defaultPartitioner();
    b(null, n); // round robin state must not affect keyed records
    const p = a(key, n);
    assert.ok(Number.isInteger(p) && p >= 0 && p < n);
    assert.equal(b(key, n), p);
    assert.equal(partitionForKey(Buffer.from(key), n), p);
  }));
});

test('keys spread over partitions', () => {
  const counts = [0, 0, 0];
  for (let i = 0; i < 3000; i++) counts[partitionForKey(Buffer.from(`key-${i}`), 3)]++;
  for (const c of counts) assert.ok(c > 800 && c < 1200, `uneven spread ${counts}`);
});

test('keyless records go round robin, one per partition in turn', () => {
  fc.assert(fc.property(fc.integer({ min: 1, max: 50 }), fc.integer({ min: 0, max: 200 }), (n, total) => {
    const part = defaultPartitioner();
    const seen = Array.from({ length: total }, () => part(null, n));
    seen.forEach((p, i) => assert.equal(p, i % n));
  }));
});
