// Issue 17, "exactly once everywhere, and status that tells the truth": after kill -9 the late
// topic holds each late message once, like the sink; `graph describe` after a restart shows the
// totals from before it (counts, frontier, late count) without waiting for new input; and a crash
// loop whose lives are far shorter than the checkpoint interval still moves forward, because each
// life checkpoints right after its first sink write.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Offset } from '@eddy/client';
import { graphYaml } from '../packages/dataflow/test/graph_yaml.ts';
import { COUNTING_MAP_WAT, wat2wasm } from '../packages/dataflow/test/wat_operators.ts';
import { Cluster } from './graph_cluster.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const definition = graphYaml('counting', [['source', 'source'], ['map', 'count', 'counter:1.0.0'], ['sink', 'sink']], [['source', 'count'], ['count', 'sink']]);
const T0 = 1_700_000_000_000;

async function setUp(c: Cluster, lateTopic: string | null): Promise<void> {
  const admin = c.eddy.admin();
  await admin.createTopic('events', { partitions: 1 });
  await admin.createTopic('numbered', { partitions: 1 });
  if (lateTopic) await admin.createTopic(lateTopic, { partitions: 1 });
  await admin.createSmartModule('counter', wat2wasm(COUNTING_MAP_WAT), { version: '1.0.0' });
  await admin.applyGraph({ name: 'counting', definition, sources: ['events'], sink: 'numbered', params: {}, state: {}, allowedLatenessMs: 0, lateTopic });
}

/** Sends `events` as [timestamp, text] (the counting operator needs 8 payload bytes), in small batches. */
async function send(c: Cluster, events: [number, string][]): Promise<void> {
  const producer = await c.eddy.producer('events', { retries: 50, maxRetryBackoffMs: 200, lingerMs: 0 });
  for (let i = 0; i < events.length; i += 10) {
    await Promise.all(events.slice(i, i + 10).map(([t, text]) => producer.send(null, text, { timestamp: t })));
  }
  await producer.close();
}

interface Totals { source: number; count: number; sinkIn: number; frontier: number | null; late: number; position: number }

/** What `graph describe` says, once its instance runs and has read `position` source records. */
async function totals(c: Cluster, position: number): Promise<Totals> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const st = (await c.eddy.admin().describeGraph('counting')).status;
    const inst = st.instances[0];
    const at = Number(inst?.positions.find((p) => p.topic === 'events')?.offset ?? -1);
    if (inst?.state === 'running' && at >= position) {
      const op = (name: string) => st.operators.find((o) => o.name === name)!;
      return {
        source: Number(op('source').recordsOut), count: Number(op('count').recordsOut), sinkIn: Number(op('sink').recordsIn),
        frontier: inst.frontierMs === null ? null : Number(inst.frontierMs), late: Number(inst.lateMessages), position: at,
      };
    }
    assert.ok(Date.now() < deadline, `the instance runs at position ${position} (${inst?.state} at ${at})`);
    await sleep(50);
  }
}

async function values(c: Cluster, topic: string, n: number): Promise<string[]> {
  const out: string[] = [];
  if (n === 0) return out;
  for await (const r of c.eddy.consumer(topic).stream(Offset.beginning())) {
    out.push(r.value.toString());
    if (out.length === n) break;
  }
  return out;
}

test('kill -9 after late messages: the late topic holds each once; describe shows the totals from before each restart', { timeout: 180_000 }, async () => {
  const c = await new Cluster('eddy-graph-late-').start();
  try {
    await setUp(c, 'late');
    const onTime = (from: number, n: number): [number, string][] =>
      Array.from({ length: n }, (_, i) => [T0 + (from + i) * 1000, `________ event ${from + i + 1}`]);
    // Life 1: its first sink write is checkpointed; what follows is not (interval: an hour).
    await send(c, onTime(0, 100));
    await c.waitFor('numbered', 100);
    // Five readings far behind the frontier, between on-time ones: late, after the checkpoint.
    const late: [number, string][] = Array.from({ length: 5 }, (_, i) => [T0 - 60_000 + i, `________ late ${i + 1}`]);
    await send(c, [...onTime(100, 20), ...late, ...onTime(120, 30)]);
    await c.waitFor('late', 5);
    await c.waitFor('numbered', 150);
    const before = await totals(c, 155);
    assert.deepEqual(before, { source: 150, count: 150, sinkIn: 150, frontier: T0 + 149_000, late: 5, position: 155 });

    await c.restart('SIGKILL');
    // The restart replays from the first checkpoint: the same late messages, numbered the same.
    assert.deepEqual(await totals(c, 155), before, 'after kill -9, describe shows the same totals');
    await sleep(1000);
    assert.equal(await c.count('late'), 5, 'no late message written twice');
    assert.equal(await c.count('numbered'), 150, 'no output written twice');
    const starts = c.instanceStarts();
    assert.ok(starts[starts.length - 1].alreadyInLate > 0, `the restart found late messages already written (${JSON.stringify(starts.at(-1))})`);
    assert.deepEqual((await values(c, 'late', 5)), late.map(([, text]) => text));

    // A clean stop: describe has the totals at once, before any new input arrives.
    await c.restart('SIGTERM');
    assert.deepEqual(await totals(c, 155), before, 'after a clean restart, describe shows the same totals');

    // More late messages after the restart are numbered on from the checkpoint's count.
    await send(c, [[T0 - 1, '________ late 6'], ...onTime(150, 10)]);
    await c.waitFor('numbered', 160);
    await c.waitFor('late', 6);
    await c.restart('SIGKILL');
    const after = await totals(c, 166);
    assert.deepEqual(after, { source: 160, count: 160, sinkIn: 160, frontier: T0 + 159_000, late: 6, position: 166 });
    await sleep(1000);
    assert.equal(await c.count('late'), 6);
    assert.deepEqual(await values(c, 'numbered', 160), Array.from({ length: 160 }, (_, i) => `${String(i + 1).padStart(8, '0')} event ${i + 1}`));
  } finally {
    await c.close();
  }
});

test('crash loop: lives shorter than the checkpoint interval still move the graph forward, each message once', { timeout: 240_000 }, async () => {
  const c = await new Cluster('eddy-graph-crashloop-').start();
  try {
    await setUp(c, null);
    const file = join(c.dataDir, 'graphs', 'counting', 'instance-0.checkpoint.json');
    const checkpointed = (): number => (existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { positions: { events: number } }).positions.events : 0);
    const lives = 5;
    const perLife = 40;
    let sent = 0;
    for (let life = 0; life < lives; life++) {
      const mtime = existsSync(file) ? statSync(file).mtimeMs : 0;
      await send(c, Array.from({ length: perLife }, () => [T0 + sent * 1000, `________ event ${++sent}`]));
      await c.waitFor('numbered', sent);
      // The interval is an hour: only the first-write checkpoint can have been written.
      const deadline = Date.now() + 10_000;
      while (!(existsSync(file) && statSync(file).mtimeMs > mtime) && Date.now() < deadline) await sleep(20);
      assert.ok(checkpointed() > life * perLife, `life ${life} checkpointed past where it started (${checkpointed()})`);
      await c.restart('SIGKILL');
    }
    // Each life started where the previous one's checkpoint left it, never from offset 0 again.
    const starts = c.instanceStarts().map((s) => s.positions.events);
    assert.equal(starts[0], 0);
    for (let i = 1; i < starts.length; i++) assert.ok(starts[i] > starts[i - 1], `life ${i} started further on (${starts.join(',')})`);
    await sleep(500);
    assert.equal(await c.count('numbered'), sent, 'nothing written twice');
    assert.deepEqual(await values(c, 'numbered', sent), Array.from({ length: sent }, (_, i) => `${String(i + 1).padStart(8, '0')} event ${i + 1}`));
  } finally {
    await c.close();
  }
});
