// The sandbox at the broker level: a module that loops, traps, grows memory without end, or is
// not wasm at all fails its own consumer with a clear error, while other consumers on the same
// broker (plain and through a SmartModule) keep receiving records produced after the failure.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode, OffsetStart } from '@eddy/protocol';
import type { StreamFetchResponse } from '@eddy/protocol';
import { withBroker } from './helpers.ts';
import type { StreamHandle } from './raw_client.ts';
import { FILTER_A, INFINITE_LOOP, MEMORY_HOG, TRAP, createTopic, produce, readAll, sm, values } from './smartmodule_helpers.ts';

const BUDGET_MS = 300;
const MEMORY_BYTES = 4 * 1024 * 1024;

test('a looping, trapping, memory-hungry or non-wasm module fails only its own stream', async (t) => {
  await withBroker(async ({ client }) => {
    await createTopic(client, 'events');
    await produce(client, 'events', [['apple', 'kiwi'], ['banana']]);
    // Two healthy consumers, one plain and one through a filter, both waiting for new records.
    const plain = client.stream({ topic: 'events', startKind: OffsetStart.End });
    const filtered = client.stream({ topic: 'events', startKind: OffsetStart.End, smartmodules: [sm(FILTER_A)] });
    assert.equal((await plain.next())!.startOffset, 3);
    assert.equal((await filtered.next())!.startOffset, 3);

    const bad: { module: Uint8Array; name: string; code: number; message: RegExp }[] = [
      { module: INFINITE_LOOP, name: 'spin', code: ErrorCode.SmartModuleRuntime, message: new RegExp(`"spin" did not return within its time budget of ${BUDGET_MS} ms`) },
      { module: TRAP, name: 'crash', code: ErrorCode.SmartModuleRuntime, message: /"crash" trapped/ },
      { module: MEMORY_HOG, name: 'hog', code: ErrorCode.SmartModuleRuntime, message: /"hog" exceeded its memory limit of 4 MiB/ },
      { module: Buffer.from('#!/bin/sh\necho not wasm\n'), name: 'script.sh', code: ErrorCode.SmartModuleInvalid, message: /"script\.sh" cannot be loaded/ },
    ];
    let round = 0;
    for (const b of bad) {
      const started = performance.now();
      const [failed, ...more] = await client.stream({ topic: 'events', startKind: OffsetStart.Beginning, smartmodules: [sm(b.module, { name: b.name })] })
        .collect(undefined, 10 * BUDGET_MS + 5000);
      const tookMs = Math.round(performance.now() - started);
      assert.equal(more.length, 0);
      assert.equal(failed.errorCode, b.code, `${b.name}: ${failed.errorMessage}`);
      assert.match(failed.errorMessage ?? '', b.message);
      assert.equal(failed.endOfStream, true);
      assert.equal(failed.records.length, 0);
      t.diagnostic(`${b.name}: error after ${tookMs} ms (budget ${BUDGET_MS} ms)`);

      // Records produced after the failure still reach both healthy consumers.
      round++;
      await produce(client, 'events', [[`no-${round}`, `and-${round}-a`]]);
      const hw = 3 + 2 * round;
      assert.deepEqual(values(await upTo(plain, hw)), [`no-${round}`, `and-${round}-a`]);
      const f = values(await upTo(filtered, hw));
      assert.deepEqual(f, [`and-${round}-a`]);
    }

    // The broker still opens new SmartModule streams and serves the whole log.
    const again = await readAll(client, 'events', [sm(FILTER_A)]);
    assert.deepEqual(values(again), ['apple', 'banana', 'and-1-a', 'and-2-a', 'and-3-a', 'and-4-a']);
    await plain.close();
    await filtered.close();
  }, { smartModuleTimeBudgetMs: BUDGET_MS, smartModuleMemoryBytes: MEMORY_BYTES, smartModuleWorkers: 1 });
});

test('a module that fails on the producer side rejects only that produce request', async () => {
  await withBroker(async ({ client }) => {
    await createTopic(client, 'in');
    const spin = await produce(client, 'in', [['x']], [sm(INFINITE_LOOP, { name: 'spin' })]);
    assert.equal(spin.errorCode, ErrorCode.SmartModuleRuntime);
    assert.match(spin.errorMessage ?? '', /"spin" did not return within its time budget/);
    const trap = await produce(client, 'in', [['x']], [sm(TRAP, { name: 'crash' })]);
    assert.match(trap.errorMessage ?? '', /"crash" trapped/);
    const ok = await produce(client, 'in', [['apple', 'fig']], [sm(FILTER_A)]);
    assert.deepEqual([ok.errorCode, ok.baseOffset, ok.lastOffset], [ErrorCode.None, 0, 0]);
    assert.deepEqual(values(await readAll(client, 'in', [])), ['apple']);
  }, { smartModuleTimeBudgetMs: BUDGET_MS, smartModuleMemoryBytes: MEMORY_BYTES });
});

/** Responses of a live stream until its nextOffset reaches `offset`. */
function upTo(s: StreamHandle, offset: number): Promise<StreamFetchResponse[]> {
  return s.collect((all) => all.at(-1)!.nextOffset >= offset, 10_000);
}
