// A SmartModule that times out, traps or exceeds its memory is logged on the broker (module,
// topic, partition, the stream's or produce's chain, reason), not only reported to the client.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { ErrorCode, OffsetStart } from '@eddy/protocol';
import { withBroker } from './helpers.ts';
import { INFINITE_LOOP, MEMORY_HOG, TRAP, createTopic, produce, sm } from './smartmodule_helpers.ts';

const BUDGET_MS = 300;
const MEMORY_BYTES = 4 * 1024 * 1024;

interface Line { level: number; msg: string; module?: string; topic?: string; partition?: number; stream?: number; produce?: number; reason?: string }

function capture(): { logger: pino.Logger; lines: Line[] } {
  const lines: Line[] = [];
  const sink = new Writable({ write(chunk: Buffer, _enc, done) { for (const l of chunk.toString().split('\n')) if (l) lines.push(JSON.parse(l) as Line); done(); } });
  return { logger: pino({ level: 'info' }, sink), lines };
}

const failures = (lines: Line[]): Line[] => lines.filter((l) => l.msg.startsWith('SmartModule failed'));

test('stream and produce failures of a SmartModule each leave one broker warn line with module, stream and reason', async () => {
  const { logger, lines } = capture();
  await withBroker(async ({ client }) => {
    await createTopic(client, 'events');
    await produce(client, 'events', [['apple', 'kiwi']]);
    const bad = [
      { module: INFINITE_LOOP, name: 'spin', reason: new RegExp(`"spin" did not return within its time budget of ${BUDGET_MS} ms`) },
      { module: TRAP, name: 'crash', reason: /"crash" trapped/ },
      { module: MEMORY_HOG, name: 'hog', reason: /"hog" exceeded its memory limit of 4 MiB/ },
    ];
    for (const b of bad) {
      const before = failures(lines).length;
      const [failed] = await client.stream({ topic: 'events', startKind: OffsetStart.Beginning, smartmodules: [sm(b.module, { name: b.name })] })
        .collect(undefined, 10 * BUDGET_MS + 5000);
      assert.equal(failed.errorCode, ErrorCode.SmartModuleRuntime);
      await new Promise((r) => setImmediate(r));
      const logged = failures(lines).slice(before);
      assert.equal(logged.length, 1, `${b.name}: ${JSON.stringify(logged)}`);
      const [l] = logged;
      assert.equal(l.level, 40);
      assert.equal(l.module, b.name);
      assert.equal(l.topic, 'events');
      assert.equal(l.partition, 0);
      assert.equal(typeof l.stream, 'number');
      assert.match(l.reason ?? '', b.reason);
      assert.equal(l.reason, failed.errorMessage, 'the log and the client read the same reason');
    }
    const before = failures(lines).length;
    const trap = await produce(client, 'events', [['x']], [sm(TRAP, { name: 'crash' })]);
    assert.equal(trap.errorCode, ErrorCode.SmartModuleRuntime);
    const logged = failures(lines).slice(before);
    assert.equal(logged.length, 1);
    assert.equal(logged[0].module, 'crash');
    assert.equal(typeof logged[0].produce, 'number');
    assert.match(logged[0].reason ?? '', /"crash" trapped/);
  }, { logger, smartModuleTimeBudgetMs: BUDGET_MS, smartModuleMemoryBytes: MEMORY_BYTES, smartModuleWorkers: 1 });
});
