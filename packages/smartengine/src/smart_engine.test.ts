import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  SmartEngine,
  SmartModuleAbiError,
  SmartModuleClosedError,
  SmartModuleInitError,
  SmartModuleLoadError,
  SmartModuleLookBackError,
  SmartModuleMemoryError,
  SmartModuleRuntimeError,
  SmartModuleTimeoutError,
  SmartModuleTrapError,
  type SmartModuleLogLine,
} from './mod.ts';
import { ModuleCache } from './module_cache.ts';
import { decodeRecords, encodeRecords, text, values, type TestRecord } from '../test/records.ts';
import * as wat from '../test/wat_modules.ts';

const batch = (records: TestRecord[], baseOffset = 0, baseTimestamp = 0) => ({ baseOffset, baseTimestamp, records: encodeRecords(records) });
const vals = (...v: string[]): TestRecord[] => v.map((value) => ({ value }));
const utf8 = (s: string) => new TextEncoder().encode(s);

describe('transforms', () => {
  const logs: SmartModuleLogLine[] = [];
  const engine = new SmartEngine({ workers: 2, timeBudgetMs: 2000, logger: (l) => logs.push(l) });
  after(() => engine.close());

  test('a filter keeps matching records byte for byte', async () => {
    const chain = await engine.chain([{ name: 'has-a', wasm: wat.FILTER_A }]);
    const input: TestRecord[] = [
      { value: 'apple', key: 'k1', timestampDelta: 5 },
      { value: 'fruit' },
      { value: 'banana', timestampDelta: -3 },
    ];
    const out = await chain.process(batch(input, 1000));
    assert.equal(out.count, 2);
    assert.equal(out.error, undefined);
    const expected = encodeRecords([input[0], { ...input[2], offsetDelta: 2 }]);
    assert.deepEqual(new Uint8Array(out.records), expected);
    assert.equal(chain.modules[0].transform, 'filter');
    await chain.close();
  });

  test('a map rewrites values and keeps keys, offsets and timestamps', async () => {
    const chain = await engine.chain([{ name: 'upper', wasm: wat.MAP_UPPER }]);
    const out = await chain.process(batch([{ value: 'abc', key: 'key', timestampDelta: 7 }, { value: 'x1y' }]));
    const recs = decodeRecords(out.records);
    assert.deepEqual(recs.map((r) => [text(r.key), text(r.value), r.offsetDelta, r.timestampDelta]), [
      ['key', 'ABC', 0, 7],
      [null, 'X1Y', 1, 0],
    ]);
  });

  test('a chain feeds each module the previous one\'s successes', async () => {
    const chain = await engine.chain([
      { name: 'has-a', wasm: wat.FILTER_A },
      { name: 'upper', wasm: wat.MAP_UPPER },
    ]);
    const out = await chain.process(batch(vals('apple', 'fruit', 'banana')));
    assert.deepEqual(values(out.records), ['APPLE', 'BANANA']);
    assert.deepEqual(decodeRecords(out.records).map((r) => r.offsetDelta), [0, 2]);
    // an empty batch goes through too
    const none = await chain.process(batch([]));
    assert.equal(none.count, 0);
    assert.deepEqual(values(none.records), []);
  });

  test('a record error returns the records before it, the offset, hint and kind; the chain goes on', async () => {
    const chain = await engine.chain([
      { name: 'has-a', wasm: wat.FILTER_A },
      { name: 'upper', wasm: wat.MAP_UPPER },
    ]);
    const out = await chain.process(batch([{ value: 'apple' }, { value: 'banana' }, { value: '!boom', key: 'bad-key' }, { value: 'avocado' }], 500));
    assert.deepEqual(values(out.records), ['APPLE', 'BANANA']);
    const err = out.error;
    assert.ok(err instanceof SmartModuleRuntimeError);
    assert.equal(err.moduleName, 'has-a');
    assert.equal(err.offset, 502);
    assert.equal(err.hint, 'value starts with !');
    assert.equal(err.kind, 'filter');
    assert.equal(err.kindCode, 0);
    assert.equal(text(err.recordKey), 'bad-key');
    assert.equal(text(err.recordValue), '!boom');
    assert.match(err.message, /^SmartModule "has-a" \(filter\) failed at offset 502: value starts with !$/);
    const next = await chain.process(batch(vals('again')));
    assert.deepEqual(values(next.records), ['AGAIN']);
  });

  test('aggregate keeps its accumulator between batches, from the initial value', async () => {
    const chain = await engine.chain([{ name: 'concat', wasm: wat.AGGREGATE_CONCAT, initialAccumulator: utf8('zero') }]);
    assert.deepEqual(values((await chain.process(batch(vals('a', 'b')))).records), ['zeroa', 'zeroab']);
    assert.deepEqual(values((await chain.process(batch([]))).records), []);
    assert.deepEqual(values((await chain.process(batch(vals('c')))).records), ['zeroabc']);
    const fresh = await engine.chain([{ name: 'concat', wasm: wat.AGGREGATE_CONCAT }]);
    assert.deepEqual(values((await fresh.process(batch(vals('x')))).records), ['x']);
  });

  test('batches submitted without waiting run in order', async () => {
    const chain = await engine.chain([{ name: 'concat', wasm: wat.AGGREGATE_CONCAT }]);
    const results = await Promise.all(['1', '2', '3', '4', '5'].map((v) => chain.process(batch(vals(v)))));
    assert.deepEqual(results.map((r) => values(r.records)[0]), ['1', '12', '123', '1234', '12345']);
  });

  test('batches bigger than the shared buffers grow them, both ways', async () => {
    const chain = await engine.chain([{ name: 'upper', wasm: wat.MAP_UPPER }]);
    const many = Array.from({ length: 20000 }, (_, i) => ({ value: `value-${i}` }));
    const out = await chain.process(batch(many));
    assert.equal(out.count, many.length);
    const got = values(out.records);
    assert.equal(got[0], 'VALUE-0');
    assert.equal(got[19999], 'VALUE-19999');
    assert.deepEqual(values((await chain.process(batch(vals('small')))).records), ['SMALL']);
  });

  test('init receives the params; its error hint reaches the caller', async () => {
    const chain = await engine.chain([{ name: 'param', wasm: wat.FILTER_PARAM, params: { other: 'x', key: 'an' } }]);
    assert.deepEqual(values((await chain.process(batch(vals('banana', 'apple', 'mango')))).records), ['banana', 'mango']);
    await assert.rejects(engine.chain([{ name: 'param', wasm: wat.FILTER_PARAM, params: { other: 'x' } }]), (err) => {
      assert.ok(err instanceof SmartModuleInitError);
      assert.equal(err.hint, 'missing param: key');
      assert.equal(err.message, 'SmartModule "param" init failed: missing param: key');
      return true;
    });
  });

  test('every ABI version 16..25 gets the input layout of that version', async () => {
    const versions = [16, 17, 18, 19, 20, 21, 22, 23, 24, 25];
    await Promise.all(
      versions.map(async (version) => {
        const chain = await engine.chain([
          { name: `meta-${version}`, wasm: wat.MAP_META, version, params: { a: '1', bb: '22' }, lookback: { last: 2, ageMs: 1500 } },
        ]);
        assert.equal(chain.modules[0].version, version);
        const out = await chain.process(batch(vals('x'), 4242, 1_700_000_000_123));
        const v = Buffer.from(decodeRecords(out.records)[0].value);
        assert.equal(v.readBigInt64BE(0), 4242n, `base_offset at v${version}`);
        assert.equal(v.readBigInt64BE(8), version >= 22 ? 1_700_000_000_123n : 0n, `base_timestamp at v${version}`);
        assert.equal(v.readUInt32BE(16), version, 'version argument');
        await chain.close();
      }),
    );
    await assert.rejects(engine.chain([{ name: 'old', wasm: wat.MAP_META, version: 15 }]), SmartModuleLoadError);
  });

  test('look-back feeds history once; modules without a lookback config are not fed', async () => {
    const chain = await engine.chain([{ name: 'rising', wasm: wat.FILTER_LOOKBACK, lookback: { last: 1 } }]);
    let asked: unknown;
    await chain.lookBack((module, index) => {
      asked = [module.name, module.lookback, index];
      return { records: encodeRecords(vals('2')), baseOffset: 10 };
    });
    assert.deepEqual(asked, ['rising', { last: 1 }, 0]);
    assert.deepEqual(values((await chain.process(batch(vals('1', '2', '3')))).records), ['3']);

    const unfed = await engine.chain([{ name: 'rising', wasm: wat.FILTER_LOOKBACK }]);
    await unfed.lookBack(encodeRecords(vals('9')));
    assert.deepEqual(values((await unfed.process(batch(vals('1', '3', '2')))).records), ['1', '3']);
  });

  test('a look-back error names the record', async () => {
    const chain = await engine.chain([{ name: 'rising', wasm: wat.FILTER_LOOKBACK, lookback: { last: 5 } }]);
    await assert.rejects(chain.lookBack({ records: encodeRecords(vals('1', '!')), baseOffset: 100 }), (err) => {
      assert.ok(err instanceof SmartModuleLookBackError);
      assert.equal(err.offset, 101);
      assert.equal(err.hint, 'bad look-back value');
      assert.equal(text(err.recordValue), '!');
      return true;
    });
  });

  test('stdout and stderr reach the logger as lines tagged with the module', async () => {
    const chain = await engine.chain([{ name: 'printer', wasm: wat.WASI_PRINTER }]);
    const out = await chain.process(batch(vals('a')));
    assert.equal(out.count, 0);
    await chain.close(); // flushes nothing more: every line was complete
    const mine = logs.filter((l) => l.module === 'printer').map((l) => [l.stream, l.text, l.chain === chain.id]);
    assert.deepEqual(mine, [
      ['stdout', 'hello from wasm', true],
      ['stdout', 'partial line', true],
      ['stderr', 'to stderr', true],
    ]);
    assert.equal((await engine.inspect(wat.WASI_PRINTER)).usesWasi, true);
  });

  test('WASI: clock, randomness, empty args and environment, no files, proc_exit fails the call', async () => {
    const chain = await engine.chain([{ name: 'wasi', wasm: wat.WASI_MISC }]);
    const before = BigInt(Date.now()) * 1_000_000n;
    const out = await chain.process(batch(vals('x')));
    const after = BigInt(Date.now() + 1) * 1_000_000n;
    const v = Buffer.from(decodeRecords(out.records)[0].value);
    assert.notDeepEqual([...v.subarray(0, 16)], new Array(16).fill(0), 'random bytes');
    const now = v.readBigUInt64LE(16);
    assert.ok(now >= before && now <= after, `realtime clock ${now} outside [${before}, ${after}]`);
    assert.deepEqual([v.readUInt32LE(24), v.readUInt32LE(28), v.readUInt32LE(32), v.readUInt32LE(36)], [0, 0, 0, 0], 'args and environ sizes');
    assert.deepEqual([0, 1, 2, 3].map((i) => v.readUInt32LE(40 + i * 4)), [0, 0, 0, 0], 'errno of random, clock, args, environ');
    assert.equal(v.readUInt32LE(56), 52, 'path_open answers ENOSYS');
    await assert.rejects(chain.process(batch([])), (err) => {
      assert.ok(err instanceof SmartModuleTrapError, String(err));
      assert.match(err.message, /^SmartModule "wasi" trapped: called proc_exit\(3\)$/);
      return true;
    });
  });

  test('copy_records is found under any module name; the transform comes from the exports', async () => {
    const custom = await engine.chain([{ name: 'fluvio-ns', wasm: wat.upperModule('map', 'fluvio') }]);
    assert.equal(custom.modules[0].copyRecordsModule, 'fluvio');
    assert.deepEqual(values((await custom.process(batch(vals('q')))).records), ['Q']);
    for (const kind of ['filter_map', 'array_map'] as const) {
      const chain = await engine.chain([{ name: kind, wasm: wat.upperModule(kind) }]);
      assert.equal(chain.modules[0].transform, kind);
      assert.deepEqual(values((await chain.process(batch(vals('z')))).records), ['Z']);
    }
  });

  test('an empty chain passes records through', async () => {
    const chain = await engine.chain([]);
    const input = batch(vals('same'));
    const out = await chain.process(input);
    assert.deepEqual(out.records, input.records);
    assert.equal(out.count, 1);
  });
});

describe('loading', () => {
  const engine = new SmartEngine({ workers: 1, memoryLimitBytes: 1024 * 1024 });
  after(() => engine.close());

  const refused = async (wasm: Uint8Array, pattern: RegExp) => {
    await assert.rejects(engine.chain([{ name: 'bad', wasm }]), (err) => {
      assert.ok(err instanceof SmartModuleLoadError, String(err));
      assert.equal(err.moduleName, 'bad');
      assert.match(err.message, /^SmartModule "bad" cannot be loaded: /);
      assert.match(err.message, pattern);
      assert.ok(!err.message.includes('\n'));
      return true;
    });
  };

  test('not wasm', () => refused(Uint8Array.from(Buffer.from('{"this is": "json"}')), /not a WebAssembly module/));
  test('broken wasm', () => refused(Uint8Array.of(0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 99), /malformed WebAssembly|invalid WebAssembly/));
  test('wasm that does not validate', () => refused(Uint8Array.of(0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 4, 1, 0x60, 0, 0x7f, 3, 2, 1, 0, 10, 4, 1, 2, 0, 0x0b), /invalid WebAssembly/));
  test('unknown import', () => refused(wat.UNKNOWN_IMPORT, /"env"\."mystery"/));
  test('no transform export', () => refused(wat.NO_TRANSFORM, /exports none of filter, map, filter_map, array_map, aggregate/));
  test('initial memory above the limit', () => refused(wat.BIG_INITIAL_MEMORY, /initial memory of 20 pages/));
  test('bad spec', async () => {
    await assert.rejects(engine.chain([{ name: '', wasm: wat.FILTER_A }]), SmartModuleLoadError);
    await assert.rejects(engine.chain([{ name: 'x', wasm: 'nope' as unknown as Uint8Array }]), /Uint8Array/);
    await assert.rejects(engine.chain([{ name: 'x', wasm: wat.FILTER_A, lookback: { last: -1 } }]), /lookback.last/);
  });

  test('each distinct wasm is compiled once', async () => {
    const cache = new ModuleCache(1 << 20);
    const a = await cache.load(wat.FILTER_A);
    const b = await cache.load(Uint8Array.from(wat.FILTER_A));
    assert.equal(a.module, b.module);
    assert.equal(cache.size, 1);
    const c = await cache.load(wat.MAP_UPPER);
    assert.notEqual(c.module, a.module);
    assert.equal(a.info.sha256.length, 64);
  });
});

describe('sandbox', () => {
  // one worker, so the runaway modules share it with the healthy chain
  const engine = new SmartEngine({ workers: 1, timeBudgetMs: 200, memoryLimitBytes: 8 * 1024 * 1024, logger: () => {} });
  after(() => engine.close());

  test('an endless loop fails its chain with a timeout; another chain on the same worker keeps its state', { timeout: 20_000 }, async () => {
    const healthy = await engine.chain([{ name: 'concat', wasm: wat.AGGREGATE_CONCAT }]);
    assert.deepEqual(values((await healthy.process(batch(vals('a')))).records), ['a']);
    const looping = await engine.chain([{ name: 'spinner', wasm: wat.INFINITE_LOOP }]);
    const restarts = engine.workerRestarts;

    const stuck = looping.process(batch(vals('x')));
    const queued = healthy.process(batch(vals('b'))); // queued behind the loop on the same worker
    await assert.rejects(stuck, (err) => {
      assert.ok(err instanceof SmartModuleTimeoutError, String(err));
      assert.equal(err.moduleName, 'spinner');
      assert.equal(err.budgetMs, 200);
      assert.equal(err.message, 'SmartModule "spinner" did not return within its time budget of 200 ms');
      return true;
    });
    assert.deepEqual(values((await queued).records), ['ab']);
    assert.deepEqual(values((await healthy.process(batch(vals('c')))).records), ['abc']);
    assert.equal(engine.workerRestarts, restarts + 1);
    await assert.rejects(looping.process(batch(vals('y'))), SmartModuleTimeoutError);
    assert.ok(looping.failure instanceof SmartModuleTimeoutError);
  });

  test('after a restart, look-back is replayed and chains still being created are created', { timeout: 20_000 }, async () => {
    const rising = await engine.chain([{ name: 'rising', wasm: wat.FILTER_LOOKBACK, lookback: { last: 1 } }]);
    await rising.lookBack(encodeRecords(vals('5')));
    assert.deepEqual(values((await rising.process(batch(vals('3')))).records), []);
    const looping = await engine.chain([{ name: 'spinner', wasm: wat.INFINITE_LOOP }]);
    const stuck = looping.process(batch(vals('x')));
    const late = engine.chain([{ name: 'late', wasm: wat.MAP_UPPER }]); // queued behind the loop
    await assert.rejects(stuck, SmartModuleTimeoutError);
    // the rebuilt instance saw '5' again (without the replay it would let '4' through)
    assert.deepEqual(values((await rising.process(batch(vals('4', '6')))).records), ['6']);
    assert.deepEqual(values((await (await late).process(batch(vals('l')))).records), ['L']);
  });

  test('a trap fails only its chain', async () => {
    const healthy = await engine.chain([{ name: 'upper', wasm: wat.MAP_UPPER }]);
    const trapping = await engine.chain([{ name: 'trapper', wasm: wat.TRAP }]);
    await assert.rejects(trapping.process(batch(vals('x'))), (err) => {
      assert.ok(err instanceof SmartModuleTrapError, String(err));
      assert.match(err.message, /^SmartModule "trapper" trapped: unreachable/);
      return true;
    });
    await assert.rejects(trapping.process(batch(vals('x'))), SmartModuleTrapError);
    assert.deepEqual(values((await healthy.process(batch(vals('ok')))).records), ['OK']);
  });

  test('growing memory without end fails with a memory error', async () => {
    const hog = await engine.chain([{ name: 'hog', wasm: wat.MEMORY_HOG }]);
    await assert.rejects(hog.process(batch(vals('x'))), (err) => {
      assert.ok(err instanceof SmartModuleMemoryError, String(err));
      assert.equal(err.limitBytes, 8 * 1024 * 1024);
      assert.match(err.message, /^SmartModule "hog" exceeded its memory limit of 8 MiB/);
      return true;
    });
    const healthy = await engine.chain([{ name: 'upper', wasm: wat.MAP_UPPER }]);
    assert.deepEqual(values((await healthy.process(batch(vals('fine')))).records), ['FINE']);
  });

  test('ABI violations: a negative status, undecodable output', async () => {
    const minus = await engine.chain([{ name: 'neg', wasm: wat.RETURNS_MINUS_22 }]);
    await assert.rejects(minus.process(batch(vals('x'))), (err) => {
      assert.ok(err instanceof SmartModuleAbiError, String(err));
      assert.equal(err.status, -22);
      assert.equal(err.message, 'SmartModule "neg" failed to decode SmartModule record input (code -22)');
      return true;
    });
    const bad = await engine.chain([{ name: 'liar', wasm: wat.BAD_OUTPUT }]);
    await assert.rejects(bad.process(batch(vals('x'))), /SmartModule "liar" returned output that does not decode/);
  });

  test('instantiation is under the time budget too', { timeout: 20_000 }, async () => {
    await assert.rejects(engine.chain([{ name: 'slow-start', wasm: wat.LOOPING_START }]), SmartModuleTimeoutError);
    const healthy = await engine.chain([{ name: 'upper', wasm: wat.MAP_UPPER }]);
    assert.deepEqual(values((await healthy.process(batch(vals('up')))).records), ['UP']);
  });

  test('closed chains and engines refuse work', async () => {
    const other = new SmartEngine({ workers: 1 });
    const chain = await other.chain([{ name: 'upper', wasm: wat.MAP_UPPER }]);
    await chain.close();
    await assert.rejects(chain.process(batch(vals('x'))), SmartModuleClosedError);
    const live = await other.chain([{ name: 'upper', wasm: wat.MAP_UPPER }]);
    await other.close();
    await assert.rejects(live.process(batch(vals('x'))), SmartModuleClosedError);
    await assert.rejects(other.chain([{ name: 'upper', wasm: wat.MAP_UPPER }]), SmartModuleClosedError);
  });
});
