// Local SmartModule chains (run in the client process) against a real broker.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { SmartEngine } from '@eddy/smartengine';
import { Eddy, EddyError, ErrorCode, Offset } from '../src/mod.ts';
import type { SmartModuleSpec } from '../src/mod.ts';
import { exampleWasm, EXAMPLES_DIR } from '../../../examples/smartmodules/build.ts';
import { launchBroker, type LaunchedBroker } from '../../broker/test/support/launcher.ts';

let cluster: LaunchedBroker;
let eddy: Eddy;
let engine: SmartEngine;
const wasm: Record<string, Uint8Array> = {};

before(async () => {
  cluster = await launchBroker();
  eddy = await Eddy.connect({ endpoint: cluster.endpoint });
  engine = new SmartEngine({ workers: 1, timeBudgetMs: 2000 });
  for (const name of ['filter', 'filter-odd', 'map-double', 'look-back', 'array-map-json', 'aggregate-sum']) wasm[name] = await exampleWasm(name);
});

after(async () => {
  await eddy?.close();
  await engine?.close();
  await cluster?.close();
});

async function topicWith(name: string, values: string[], partitions = 1): Promise<void> {
  await eddy.admin().createTopic(name, { partitions });
  const p = await eddy.producer(name);
  await p.sendBatch(values.map((value) => ({ value, partition: 0 })));
  await p.close();
}

async function values(topic: string, local: SmartModuleSpec[] = [], start = Offset.beginning()): Promise<{ offsets: number[]; values: string[] }> {
  const consumer = eddy.consumer(topic, { smartEngine: engine });
  const out = { offsets: [] as number[], values: [] as string[] };
  for await (const r of consumer.stream(start, { stopAtEnd: true, localSmartmodules: local })) {
    out.offsets.push(r.offset);
    out.values.push(r.value.toString());
  }
  await consumer.close();
  return out;
}

test('consumer: a local filter then map chain, offsets kept', async () => {
  await topicWith('local-chain', ['1', '2', '3', '4', '5', '6', '7', '8']);
  const out = await values('local-chain', [{ wasm: wasm['filter-odd'], name: 'evens' }, { wasm: wasm['map-double'] }]);
  assert.deepEqual(out.values, ['4', '8', '12', '16']);
  assert.deepEqual(out.offsets, [1, 3, 5, 7]);
  // A module given by path, in the shared default engine (no smartEngine option).
  const consumer = eddy.consumer('local-chain');
  const got: string[] = [];
  for await (const r of consumer.stream(Offset.beginning(), { stopAtEnd: true, localSmartmodules: [{ path: path.join(EXAMPLES_DIR, 'map-double', 'build', 'map-double.wasm') }] })) {
    got.push(r.value.toString());
  }
  assert.deepEqual(got, ['2', '4', '6', '8', '10', '12', '14', '16']);
});

test('consumer: a local array_map may give several records per offset', async () => {
  await topicWith('local-array', ['["a","b"]', '[]', '["c"]']);
  const out = await values('local-array', [{ wasm: wasm['array-map-json'] }]);
  assert.deepEqual(out.values, ['"a"', '"b"', '"c"']);
  // Output records carry the offset deltas the module gives them (Fluvio's array_map: none).
  assert.ok(out.offsets.every((o) => o >= 0 && o <= 2), String(out.offsets));
});

test('consumer: a stream starting inside a batch feeds the local chain only the records from the start on', async () => {
  // One batch holding offsets 0..2: an aggregate from offset 1 must not take in offset 0.
  await topicWith('local-mid-agg', ['2', '4', '6']);
  const agg = await values('local-mid-agg', [{ wasm: wasm['aggregate-sum'] }], Offset.absolute(1));
  assert.deepEqual(agg.values, ['4', '10']);
  assert.deepEqual(agg.offsets, [1, 2]);
  // array_map output sits at the batch's base offset: the cut batch starts at the start, so it is kept.
  await topicWith('local-mid-array', ['["a","b"]', '["c","d"]']);
  const arr = await values('local-mid-array', [{ wasm: wasm['array-map-json'] }], Offset.absolute(1));
  assert.deepEqual(arr.values, ['"c"', '"d"']);
  assert.deepEqual(arr.offsets, [1, 1]);
  // The same from the end (resolved by the broker to offset 1).
  const tail = await values('local-mid-agg', [{ wasm: wasm['aggregate-sum'] }], Offset.fromEnd(2));
  assert.deepEqual(tail.values, ['4', '10']);
});

test('consumer: a local filter over many batches and partitions, nothing filtered stalls the stream', async () => {
  await eddy.admin().createTopic('local-many', { partitions: 2 });
  const p = await eddy.producer('local-many', { batchSizeBytes: 200 });
  const sent: string[] = [];
  for (let i = 0; i < 300; i++) {
    const v = i % 7 === 0 ? `apple-${i}` : `kiwi-${i}`;
    sent.push(v);
    void p.send(null, v, { partition: i % 2 });
  }
  await p.close();
  const consumer = eddy.consumer('local-many', { smartEngine: engine, localSmartmodules: [{ wasm: wasm.filter }] });
  const got: string[] = [];
  for await (const r of consumer.stream(Offset.beginning(), { stopAtEnd: true })) got.push(r.value.toString());
  assert.deepEqual(got.sort(), sent.filter((v) => v.includes('a')).sort());
});

test('consumer: local look-back primes the module from the partition before streaming', async () => {
  await topicWith('local-lookback', ['1', '5', '3', '4']);
  assert.deepEqual((await values('local-lookback', [{ wasm: wasm['look-back'] }])).values, ['1', '5']);
  // Primed with the last two records (3, then 4): only 5 is greater than 4.
  assert.deepEqual((await values('local-lookback', [{ wasm: wasm['look-back'], lookback: { last: 2 } }])).values, ['5']);
});

test('consumer: a record the local chain rejects ends the stream with the module, offset and hint', async () => {
  await topicWith('local-bad', ['2', '4', 'x', '6']);
  const consumer = eddy.consumer('local-bad', { smartEngine: engine });
  const got: string[] = [];
  await assert.rejects(async () => {
    for await (const r of consumer.stream(Offset.beginning(), { stopAtEnd: true, localSmartmodules: [{ wasm: wasm['filter-odd'], name: 'evens' }] })) {
      got.push(r.value.toString());
    }
  }, (err: unknown) => {
    assert.ok(err instanceof EddyError, String(err));
    assert.equal(err.code, ErrorCode.SmartModuleRuntime);
    assert.match(err.message, /^SmartModule "evens" \(filter\) failed at offset 2 in 'local-bad' partition 0: .*"x"/);
    return true;
  });
  assert.deepEqual(got, ['2', '4']);
  // Bytes that are not wasm: a load error when the stream starts, even with no records to read.
  const empty = eddy.consumer('local-bad', { smartEngine: engine });
  await assert.rejects(async () => {
    for await (const r of empty.stream(Offset.end(), { stopAtEnd: true, localSmartmodules: [{ wasm: Buffer.from('not wasm'), name: 'junk' }] })) void r;
  }, (err: unknown) => err instanceof EddyError && err.code === ErrorCode.SmartModuleInvalid && /SmartModule "junk" cannot be loaded/.test(err.message));
  // A registered name cannot run locally: refused when the stream is made.
  assert.throws(() => empty.stream(Offset.beginning(), { localSmartmodules: [{ name: 'registered' }] }), /local SmartModule 'registered' needs its wasm/);
});

test('producer: a local map and a local filter transform records before they are sent', async () => {
  await eddy.admin().createTopic('local-produce', { partitions: 1 });
  const doubler = await eddy.producer('local-produce', { smartEngine: engine, localSmartmodules: [{ wasm: wasm['map-double'] }] });
  const metas = await doubler.sendBatch(['1', '2', '3'].map((value) => ({ key: `k${value}`, value })));
  assert.deepEqual(metas.map((m) => m.offset), [0, 1, 2]);
  await doubler.close();

  const evens = await eddy.producer('local-produce', { smartEngine: engine, localSmartmodules: [{ wasm: wasm['filter-odd'] }] });
  const sends = ['5', '6', '7', '8', '9'].map((v) => evens.send(null, v));
  const offsets = (await Promise.all(sends)).map((m) => m.offset);
  assert.deepEqual(offsets, [-1, 3, -1, 4, -1]); // dropped records resolve with -1, kept ones densely
  assert.equal((await evens.send(null, '11')).offset, -1); // a batch filtered out completely is not sent
  assert.equal((await evens.send(null, '12')).offset, 5);
  await evens.close();

  const consumer = eddy.consumer('local-produce');
  const got: string[] = [];
  for await (const r of consumer.stream(Offset.beginning(), { stopAtEnd: true })) got.push(`${r.offset}:${r.key ?? ''}:${r.value}`);
  assert.deepEqual(got, ['0:k1:2', '1:k2:4', '2:k3:6', '3::6', '4::8', '5::12']);
});

test('producer: a batch with a record the local chain rejects fails, later batches go through', async () => {
  await eddy.admin().createTopic('local-produce-bad', { partitions: 1 });
  const p = await eddy.producer('local-produce-bad', { smartEngine: engine, localSmartmodules: [{ wasm: wasm['map-double'], name: 'doubler' }] });
  await assert.rejects(p.sendBatch([{ value: '1' }, { value: 'one' }]), (err: unknown) => {
    assert.ok(err instanceof EddyError, String(err));
    assert.equal(err.code, ErrorCode.SmartModuleRuntime);
    assert.match(err.message, /^SmartModule "doubler" \(map\) failed at offset 1 in a batch for 'local-produce-bad' partition 0: /);
    return true;
  });
  assert.equal((await p.send(null, '21')).offset, 0);
  await p.close();
  assert.deepEqual((await values('local-produce-bad')).values, ['42']);
});

test('a module that loops forever fails only its own stream, within the time budget', async () => {
  // A filter whose body never returns (hand-written module: memory, alloc, copy_records, filter).
  const { default: wabt } = await import('wabt');
  const w = await wabt();
  const mod = w.parseWat('loop.wat', `(module
    (import "env" "copy_records" (func $copy (param i32 i32)))
    (memory (export "memory") 1)
    (func (export "alloc") (param i32) (result i32) (i32.const 1024))
    (func (export "dealloc") (param i32 i32))
    (func (export "filter") (param i32 i32 i32) (result i32) (loop $l (br $l)) (i32.const 0)))`);
  const bytes = mod.toBinary({}).buffer;
  mod.destroy();
  await topicWith('local-loop', ['a1', 'a2']);
  const quick = new SmartEngine({ workers: 1, timeBudgetMs: 200 });
  try {
    const looping = eddy.consumer('local-loop', { smartEngine: quick });
    const healthy = eddy.consumer('local-loop', { smartEngine: quick });
    const failing = (async () => {
      for await (const r of looping.stream(Offset.beginning(), { stopAtEnd: true, localSmartmodules: [{ wasm: bytes, name: 'spin' }] })) void r;
    })();
    const fine = (async () => {
      const got: string[] = [];
      for await (const r of healthy.stream(Offset.beginning(), { stopAtEnd: true, localSmartmodules: [{ wasm: wasm.filter }] })) got.push(r.value.toString());
      return got;
    })();
    await assert.rejects(failing, (err: unknown) => err instanceof EddyError && err.code === ErrorCode.SmartModuleRuntime && /spin/.test(err.message) && !err.message.includes('\n'));
    assert.deepEqual(await fine, ['a1', 'a2']);
  } finally {
    await quick.close();
  }
});
