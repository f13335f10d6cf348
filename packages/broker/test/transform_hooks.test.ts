import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EddyError, ErrorCode, OffsetStart, decodeRecords, encodeBatch } from '@eddy/protocol';
import { batchTotalSize } from '@eddy/protocol/internal';
import type { SmartModuleInvocation } from '@eddy/protocol';
import type { FetchTransformFactory, ProduceTransform } from '../src/internal_mod.ts';
import { withBroker } from './helpers.ts';
import { batchOf, streamRecords, topicSpec } from './raw_client.ts';

const invocation = (params: Record<string, string>): SmartModuleInvocation => ({
  name: 'test-module', wasm: null, kind: null, params, lookbackLast: -1, lookbackAgeMs: -1, initialAccumulator: null, version: -1,
});

function mapBatches(batches: Buffer, fn: (b: Buffer) => Buffer | null): Buffer {
  const out: Buffer[] = [];
  for (let at = 0; at < batches.length; at += batchTotalSize(batches, at)) {
    const r = fn(batches.subarray(at, at + batchTotalSize(batches, at)));
    if (r) out.push(r);
  }
  return Buffer.concat(out);
}

// Stand-ins for the SmartModule engine: the hooks' contract, not WebAssembly.
const produceTransform: ProduceTransform = async (mods, _ctx, batches) => {
  if (mods[0].params.fail) throw new EddyError(ErrorCode.SmartModuleRuntime, 'module failed on purpose');
  return mapBatches(batches, (b) => {
    const recs = decodeRecords(b, 0).filter((r) => !r.value.toString().includes('skip'));
    return recs.length === 0 ? null : encodeBatch(recs.map((r) => ({ value: Buffer.from(r.value.toString().toUpperCase()), timestamp: r.timestamp })));
  });
};
const fetchTransformFactory: FetchTransformFactory = async (mods) => {
  const word = mods[0].params.drop;
  return async (batches) => ({
    batches: mapBatches(batches, (b) => (decodeRecords(b, 0).some((r) => r.value.toString().includes(word)) ? null : b)),
  });
};

test('SmartModule hooks: produce-side transform before storing, fetch-side transform per read', async () => {
  await withBroker(async ({ client }) => {
    await client.request('CreateTopic', { name: 'sm', spec: topicSpec(), dryRun: false });
    const produce = (values: string[], params: Record<string, string>) => client.request('Produce', {
      acks: 1, timeoutMs: 1000, smartmodules: [invocation(params)],
      topics: [{ name: 'sm', partitions: [{ partition: 0, records: Buffer.concat(values.map((v) => batchOf([v]))) }] }],
    });
    const ok = await produce(['one', 'skip-me', 'two'], {});
    assert.equal(ok.topics[0].partitions[0].errorCode, ErrorCode.None);
    assert.deepEqual([ok.topics[0].partitions[0].baseOffset, ok.topics[0].partitions[0].lastOffset], [0, 1]);
    const failed = await produce(['three'], { fail: '1' });
    assert.equal(failed.topics[0].partitions[0].errorCode, ErrorCode.SmartModuleRuntime);
    const allSkipped = await produce(['skip'], {});
    assert.deepEqual([allSkipped.topics[0].partitions[0].errorCode, allSkipped.topics[0].partitions[0].baseOffset], [ErrorCode.None, -1]);

    const plain = await client.stream({ topic: 'sm', stopAtEnd: true }).collect();
    assert.deepEqual(streamRecords(plain).map((r) => r.value), ['ONE', 'TWO']);

    const filtered = await client.stream({ topic: 'sm', stopAtEnd: true, smartmodules: [invocation({ drop: 'ONE' })] }).collect();
    assert.deepEqual(streamRecords(filtered).map((r) => r.value), ['TWO']);
    assert.equal(filtered.at(-1)!.nextOffset, 2);

    // Everything filtered: the stream still tells the consumer how far it has read.
    const live = client.stream({ topic: 'sm', startKind: OffsetStart.End, smartmodules: [invocation({ drop: 'X' })] });
    assert.equal((await live.next())!.startOffset, 2);
    await produce(['xxx'], {});
    const progress = (await live.next())!;
    assert.equal(progress.records.length, 0);
    assert.equal(progress.nextOffset, 3);
  }, { produceTransform, fetchTransformFactory });
});
