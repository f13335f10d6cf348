// SmartModules inside the SPU, against a real broker: consumer side (registered and ad-hoc
// modules, chains, aggregate, look-back, filtered stretches) and producer side.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode, OffsetStart, batchCompression } from '@eddy/protocol';
import { batchTotalSize } from '@eddy/protocol/internal';
import { exampleWasm } from '../../../examples/smartmodules/build.ts';
import { withBroker } from './helpers.ts';
import { recordsIn, streamRecords } from './raw_client.ts';
import {
  AGGREGATE_CONCAT, FILTER_A, FILTER_LOOKBACK, FILTER_PARAM, MAP_UPPER,
  createTopic, endedOk, produce, readAll, register, sm, values,
} from './smartmodule_helpers.ts';

test('consumer side: registered and ad-hoc filters, stored offsets kept, compressed batches, chain filter then map', async () => {
  await withBroker(async ({ client }) => {
    await createTopic(client, 'fruit');
    await register(client, 'only-a', FILTER_A);
    await produce(client, 'fruit', [
      ['apple', 'kiwi', 'banana'],
      { values: ['plum', 'grape'], compression: 1 },
      { values: ['fig', 'melon'], compression: 3 },
      { values: ['pear', 'lime', 'date'], compression: 4, keys: ['k1', 'k2', 'k3'] },
    ]);

    for (const inv of [sm('only-a'), sm(FILTER_A)]) {
      const rs = await readAll(client, 'fruit', [inv]);
      const last = endedOk(rs);
      const recs = streamRecords(rs);
      assert.deepEqual(recs.map((r) => r.value), ['apple', 'banana', 'grape', 'pear', 'date']);
      assert.deepEqual(recs.map((r) => r.offset), [0, 2, 4, 7, 9]);
      assert.deepEqual(recs.slice(3).map((r) => r.key), ['k1', 'k3']);
      assert.equal(last.nextOffset, 10);
      // The batch holding only filtered-out records is not sent at all.
      const batches = rs.flatMap((r) => splitBatches(r.records));
      assert.equal(batches.length, 3);
    }

    const chained = await readAll(client, 'fruit', [sm('only-a'), sm(MAP_UPPER)]);
    endedOk(chained);
    assert.deepEqual(values(chained), ['APPLE', 'BANANA', 'GRAPE', 'PEAR', 'DATE']);
    // Map before filter: upper-case values contain no lower-case "a".
    const reversed = await readAll(client, 'fruit', [sm(MAP_UPPER), sm('only-a')]);
    endedOk(reversed);
    assert.deepEqual(values(reversed), []);

    // Starting mid-log: the stream starts at the requested offset.
    const mid = await readAll(client, 'fruit', [sm('only-a')], { startKind: OffsetStart.Absolute, startValue: 4 });
    assert.deepEqual(values(mid, 4), ['grape', 'pear', 'date']);
  });
});

test('consumer side: unknown name, non-wasm, init error with its hint, init params, runtime error with the record', async () => {
  await withBroker(async ({ client }) => {
    await createTopic(client, 't');
    await produce(client, 't', [['xa', 'ya'], ['!boom'], ['za']]);

    const [missing] = await readAll(client, 't', [sm('no-such-module')]);
    assert.equal(missing.errorCode, ErrorCode.SmartModuleNotFound);
    assert.match(missing.errorMessage ?? '', /no-such-module/);
    assert.equal(missing.endOfStream, true);

    const [junk] = await readAll(client, 't', [sm(Buffer.from('this is not wasm'))]);
    assert.equal(junk.errorCode, ErrorCode.SmartModuleInvalid);
    assert.match(junk.errorMessage ?? '', /cannot be loaded/);

    const [init] = await readAll(client, 't', [sm(FILTER_PARAM, { name: 'needs-key' })]);
    assert.equal(init.errorCode, ErrorCode.SmartModuleInit);
    assert.match(init.errorMessage ?? '', /needs-key.*missing param: key/);

    const withKey = await readAll(client, 't', [sm(FILTER_PARAM, { params: { key: 'y' } })]);
    endedOk(withKey);
    assert.deepEqual(values(withKey), ['ya']);

    const failed = await readAll(client, 't', [sm(FILTER_A, { name: 'only-a' })]);
    const last = failed.at(-1)!;
    assert.equal(last.errorCode, ErrorCode.SmartModuleRuntime);
    assert.equal(last.endOfStream, true);
    assert.deepEqual(values(failed), ['xa', 'ya']);
    assert.ok(last.smartModuleError);
    assert.equal(last.smartModuleError.moduleName, 'only-a');
    assert.equal(last.smartModuleError.kind, 'filter');
    assert.equal(last.smartModuleError.hint, 'value starts with !');
    assert.equal(last.smartModuleError.offset, 2);
    assert.equal(last.smartModuleError.recordValue?.toString(), '!boom');
    assert.match(last.errorMessage ?? '', /only-a.*offset 2/);
  });
});

test('consumer side: filtered-out stretches do not stall a live consumer; nextOffset reaches the high watermark', async () => {
  await withBroker(async ({ client }) => {
    await createTopic(client, 'quiet');
    await produce(client, 'quiet', Array.from({ length: 40 }, (_, i) => [`none-${i}`, `nope-${i}`]));
    const live = client.stream({ topic: 'quiet', startKind: OffsetStart.Beginning, smartmodules: [sm(FILTER_A)] });
    const seen = await live.collect((all) => all.at(-1)!.nextOffset >= 80, 10_000);
    assert.equal(seen.at(-1)!.nextOffset, 80);
    assert.equal(values(seen).length, 0);
    assert.ok(seen.every((r) => r.errorCode === ErrorCode.None && !r.endOfStream));
    // More filtered-out records: progress is still reported; then a match arrives.
    await produce(client, 'quiet', [['xyz', 'uvw']]);
    const progress = await live.collect((all) => all.at(-1)!.nextOffset >= 82, 10_000);
    assert.equal(progress.at(-1)!.nextOffset, 82);
    await produce(client, 'quiet', [['has-a']]);
    const got = await live.collect((all) => values(all).length > 0, 10_000);
    assert.deepEqual(streamRecords(got).map((r) => [r.offset, r.value]), [[82, 'has-a']]);
    assert.equal(got.at(-1)!.nextOffset, 83);
    await live.close();

    const ended = await readAll(client, 'quiet', [sm(FILTER_A)]);
    assert.equal(endedOk(ended).nextOffset, 83);
  });
});

test('consumer side: aggregate keeps its accumulator across batches and reads', async () => {
  await withBroker(async ({ client }) => {
    await createTopic(client, 'sum');
    await produce(client, 'sum', [['a', 'b'], ['c'], { values: ['d'], compression: 2 }]);
    const rs = await readAll(client, 'sum', [sm(AGGREGATE_CONCAT, { initialAccumulator: Buffer.from('X') })], { maxBytes: 1 });
    endedOk(rs);
    // maxBytes 1: one stored batch per read, so the accumulator crosses reads too.
    assert.ok(rs.filter((r) => r.records.length > 0).length >= 3);
    assert.deepEqual(streamRecords(rs).map((r) => [r.offset, r.value]), [[0, 'Xa'], [1, 'Xab'], [2, 'Xabc'], [3, 'Xabcd']]);
    const noInitial = await readAll(client, 'sum', [sm(AGGREGATE_CONCAT)]);
    assert.deepEqual(values(noInitial), ['a', 'ab', 'abc', 'abcd']);
  });
});

test('consumer side: look-back by count and by age is read from the log before streaming; a look-back error ends the stream', async () => {
  await withBroker(async ({ client }) => {
    await createTopic(client, 'lb');
    const hourAgo = Date.now() - 3_600_000;
    await produce(client, 'lb', [{ values: ['z'], timestamp: hourAgo }, ['b', 'd']]);
    const open = (over: Parameters<typeof sm>[1]) => client.stream({ topic: 'lb', startKind: OffsetStart.End, smartmodules: [sm(FILTER_LOOKBACK, over)] });

    // The filter keeps values greater than the last one it saw.
    const byCount = open({ lookbackLast: 1 }); // sees "d"
    const byAge = open({ lookbackAgeMs: 60_000 }); // sees "b", "d" (not the hour-old "z")
    const byTwo = open({ lookbackLast: 3 }); // sees "z", "b", "d": last seen "d"
    const none = open({}); // sees nothing
    for (const s of [byCount, byAge, byTwo, none]) assert.equal((await s.next())!.startOffset, 3);
    await produce(client, 'lb', [['c', 'e', 'e', 'f']]);
    const got = async (s: ReturnType<typeof open>) => values(await s.collect((all) => all.at(-1)!.nextOffset >= 7));
    assert.deepEqual(await got(byCount), ['e', 'f']);
    assert.deepEqual(await got(byAge), ['e', 'f']);
    assert.deepEqual(await got(byTwo), ['e', 'f']);
    assert.deepEqual(await got(none), ['c', 'e', 'f']);

    // Age window alone, against a different history: only "z" is old.
    await createTopic(client, 'lb2');
    await produce(client, 'lb2', [['c'], { values: ['z'], timestamp: hourAgo }]);
    const young = client.stream({ topic: 'lb2', startKind: OffsetStart.End, smartmodules: [sm(FILTER_LOOKBACK, { lookbackAgeMs: 60_000 })] });
    await young.next();
    await produce(client, 'lb2', [['d']]);
    assert.deepEqual(values(await young.collect((all) => all.at(-1)!.nextOffset >= 3)), ['d']);

    await produce(client, 'lb', [['!bad']]);
    const [failed] = await client.stream({ topic: 'lb', startKind: OffsetStart.End, smartmodules: [sm(FILTER_LOOKBACK, { name: 'lb-mod', lookbackLast: 2 })] }).collect();
    assert.equal(failed.errorCode, ErrorCode.SmartModuleRuntime);
    assert.match(failed.errorMessage ?? '', /lb-mod.*look-back failed.*bad look-back value/);
    assert.equal(failed.endOfStream, true);
  });
});

test('consumer side: a stream starting inside a stored batch feeds the chain only the records from its start on', async () => {
  // Built when stale (the examples' sources are the AssemblyScript SDK's).
  const arrayMap = await exampleWasm('array-map-json');
  const sum = await exampleWasm('aggregate-sum');
  const lookBack = await exampleWasm('look-back');
  await withBroker(async ({ client }) => {
    const from = async (topic: string, start: number, wasm: Uint8Array) => {
      const rs = await readAll(client, topic, [sm(wasm)], { startKind: OffsetStart.Absolute, startValue: start });
      endedOk(rs);
      // Every record sent, with its offset: none may fall before the start (a client drops those).
      return streamRecords(rs).map((r) => [r.offset, r.value]);
    };

    // array_map: the outputs of the first batch are at or after the start, not at its stored base offset.
    await createTopic(client, 'arrays');
    await produce(client, 'arrays', [['[1,2]', '[3,4]', '[5,6]'], ['[7]']]);
    assert.deepEqual(await from('arrays', 1, arrayMap), [[1, '3'], [1, '4'], [1, '5'], [1, '6'], [3, '7']]);
    assert.deepEqual(await from('arrays', 2, arrayMap), [[2, '5'], [2, '6'], [3, '7']]);
    assert.deepEqual(await from('arrays', 0, arrayMap), [[0, '1'], [0, '2'], [0, '3'], [0, '4'], [0, '5'], [0, '6'], [3, '7']]);

    // aggregate: the records before the start are not summed (stored plain and gzip-compressed).
    await createTopic(client, 'evens');
    await produce(client, 'evens', [['2', '4', '6'], { values: ['8', '10'], compression: 1 }]);
    assert.deepEqual(await from('evens', 1, sum), [[1, '4'], [2, '10'], [3, '18'], [4, '28']]);
    assert.deepEqual(await from('evens', 4, sum), [[4, '10']]);

    // look-back example's filter (keeps values above the last kept): 1 and 5 are not seen.
    await createTopic(client, 'climb');
    await produce(client, 'climb', [['1', '5', '3', '4']]);
    assert.deepEqual(await from('climb', 2, lookBack), [[2, '3'], [3, '4']]);
    assert.deepEqual(await from('climb', 3, lookBack), [[3, '4']]);
  });
});

test('producer side: map and filter before storing, dense offsets, topic codec, errors write nothing', async () => {
  await withBroker(async ({ client }) => {
    await createTopic(client, 'up');
    const mapped = await produce(client, 'up', [['one', 'two'], { values: ['three'], compression: 3 }], [sm(MAP_UPPER)]);
    assert.equal(mapped.errorCode, ErrorCode.None, mapped.errorMessage ?? '');
    assert.deepEqual([mapped.baseOffset, mapped.lastOffset], [0, 2]);
    const filtered = await produce(client, 'up', [['apple', 'kiwi', 'banana', 'plum', 'grape'], ['fig']], [sm(FILTER_A)]);
    assert.equal(filtered.errorCode, ErrorCode.None, filtered.errorMessage ?? '');
    assert.deepEqual([filtered.baseOffset, filtered.lastOffset], [3, 5]);
    const chained = await produce(client, 'up', [['cat', 'dog']], [sm(FILTER_A), sm(MAP_UPPER)]);
    assert.deepEqual([chained.baseOffset, chained.lastOffset], [6, 6]);
    const nothing = await produce(client, 'up', [['dog']], [sm(FILTER_A)]);
    assert.deepEqual([nothing.errorCode, nothing.baseOffset], [ErrorCode.None, -1]);

    const failed = await produce(client, 'up', [['ant', 'bat'], ['!no', 'cab']], [sm(FILTER_A, { name: 'only-a' })]);
    assert.equal(failed.errorCode, ErrorCode.SmartModuleRuntime);
    assert.ok(failed.smartModuleError);
    assert.equal(failed.smartModuleError.moduleName, 'only-a');
    assert.equal(failed.smartModuleError.hint, 'value starts with !');
    assert.equal(failed.smartModuleError.recordValue?.toString(), '!no');
    assert.match(failed.errorMessage ?? '', /only-a/);
    const missing = await produce(client, 'up', [['x']], [sm('not-registered')]);
    assert.equal(missing.errorCode, ErrorCode.SmartModuleNotFound);
    const initFailed = await produce(client, 'up', [['x']], [sm(FILTER_PARAM)]);
    assert.equal(initFailed.errorCode, ErrorCode.SmartModuleInit);

    const stored = await readAll(client, 'up', []);
    endedOk(stored);
    assert.deepEqual(streamRecords(stored).map((r) => [r.offset, r.value]), [
      [0, 'ONE'], [1, 'TWO'], [2, 'THREE'], [3, 'apple'], [4, 'banana'], [5, 'grape'], [6, 'CAT'],
    ]);
    assert.equal(stored.at(-1)!.nextOffset, 7);

    // A topic that stores zstd: produce-side output is written with the topic's codec.
    await createTopic(client, 'packed', { compression: 'zstd' });
    const r = await produce(client, 'packed', [{ values: ['alpha', 'beta', 'gamma'], compression: 1 }, ['delta']], [sm(MAP_UPPER)]);
    assert.equal(r.errorCode, ErrorCode.None, r.errorMessage ?? '');
    const packed = await readAll(client, 'packed', []);
    const batches = packed.flatMap((x) => splitBatches(x.records));
    assert.deepEqual(batches.map((b) => batchCompression(b, 0)), [4, 4]);
    assert.deepEqual(batches.flatMap((b) => recordsIn(b).map((x) => x.value.toString())), ['ALPHA', 'BETA', 'GAMMA', 'DELTA']);
  });
});

function splitBatches(buf: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0; at < buf.length; at += batchTotalSize(buf, at)) out.push(buf.subarray(at, at + batchTotalSize(buf, at)));
  return out;
}
