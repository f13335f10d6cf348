// PassSubmitter: the path fetched batches take to a chain on the broker and in clients.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeBatch } from '@eddy/protocol';
import { PassSubmitter } from './pass_submitter.ts';
import { SmartEngine } from './smart_engine.ts';
import * as wat from '../test/wat_modules.ts';
import { batchesOf } from '../test/output_batches.ts';

const engine = new SmartEngine({ workers: 1, logger: () => {} });
after(() => engine.close());

function batch(values: string[], baseOffset: number, compression: 0 | 1 = 0): Buffer {
  const b = encodeBatch(values.map((v) => ({ value: Buffer.from(v) })), { compression, timestamp: 1000 });
  b.writeBigInt64BE(BigInt(baseOffset), 0); // base offset is outside the CRC
  return b;
}

test('one pass: a batch cut at the start offset, a compressed batch decompressed, stored offsets kept', async () => {
  const chain = await engine.chain([{ name: 'has-a', wasm: wat.FILTER_A }]);
  try {
    const data = Buffer.concat([batch(['apple', 'avocado', 'fig', 'banana'], 10), batch(['kiwi', 'papaya', 'grape'], 14, 1), batch(['lime'], 17)]);
    const pass = new PassSubmitter(chain).submit(data, 0, 11);
    assert.deepEqual(pass.bases, [10, 14, 17]);
    assert.deepEqual(pass.nexts, [14, 17, 18]);
    assert.equal(pass.next, 18);
    const r = await pass.result;
    // 'apple' (offset 10) is before the start: the chain never sees it; the cut batch starts at 11.
    assert.deepEqual(batchesOf(r), [[11, [11, 13], ['avocado', 'banana']], [14, [15, 16], ['papaya', 'grape']]]);
    assert.equal(r.ends.length, 3);
    assert.equal(r.ends[2], r.ends[1]); // the last batch was filtered out completely
    r.release();
  } finally {
    await chain.close();
  }
});

test('a malformed run rejects its pass instead of throwing', async () => {
  const chain = await engine.chain([{ name: 'has-a', wasm: wat.FILTER_A }]);
  try {
    const data = batch(['apple'], 0);
    const pass = new PassSubmitter(chain).submit(data.subarray(0, data.length - 3), 0);
    await assert.rejects(pass.result);
  } finally {
    await chain.close();
  }
});
