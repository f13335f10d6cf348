import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Eddy } from '@eddy/client';
import { launchBroker, type LaunchedBroker } from '../../broker/test/support/launcher.ts';
import { EXIT_OK, EXIT_USAGE, PermanentError, defineSink, defineSource, runConnector, startConnector, type SinkRecord } from './support.ts';
import { silentLogger } from './silent_logger.ts';
import { topicValues } from './eddy_topics.ts';

let b: LaunchedBroker;
before(async () => { b = await launchBroker(); });
after(async () => { await b.close(); });

const counter = defineSource<{ count: number }>({
  name: 'counter-source', version: '1.2.3', description: 'counts',
  options: { type: 'object', properties: { count: { type: 'integer', default: 5 } } },
  *open(o) { for (let i = 0; i < o.count; i++) yield { key: `k${i % 3}`, value: `v${i}` }; },
});

const readAll = (topic: string, n: number) => topicValues(b.endpoint, topic, n);

test('a pull source produces every record, creates its topic, ends with exit 0 semantics', async () => {
  const c = await startConnector(counter, {
    configText: 'apiVersion: 0.2.0\nmeta: {name: cnt, type: counter-source, topic: {meta: {name: counted}, partition: {count: 1}}}\ncounter: {count: 200}\n',
    endpoint: b.endpoint, logger: silentLogger(), metricsPort: 0,
  });
  await c.done;
  assert.equal(c.metrics.in, 200);
  assert.equal(c.metrics.out, 200);
  const values = await readAll('counted', 200);
  assert.deepEqual(values, Array.from({ length: 200 }, (_, i) => `v${i}`));
});

test('a push source acknowledges upstream only after the cluster stored the record', async () => {
  const acked: number[] = [];
  let storedWhenAcked = true;
  const push = defineSource({
    name: 'push-source', version: '0.1.0', description: 'push',
    options: { type: 'object' },
    open(_o, ctx) {
      void (async () => {
        for (let i = 0; i < 20; i++) {
          await ctx.emit({
            value: `p${i}`,
            ack: (m) => {
              acked.push(m.offset);
              if (m.offset !== i) storedWhenAcked = false;
            },
          });
        }
        ctx.end();
      })();
      return { close() {} };
    },
  });
  const c = await startConnector(push, { configText: 'meta: {name: push, type: push-source, topic: pushed}\n', endpoint: b.endpoint, logger: silentLogger(), metricsPort: -1 });
  await c.done;
  assert.equal(acked.length, 20);
  assert.ok(storedWhenAcked);
  assert.deepEqual(await readAll('pushed', 20), Array.from({ length: 20 }, (_, i) => `p${i}`));
});

test('a sink commits only after the write succeeded, retries failed writes, resumes exactly after a restart', async () => {
  await b.broker; // running
  const eddy = await Eddy.connect({ endpoint: b.endpoint });
  await eddy.admin().createTopic('to-sink', { partitions: 2 });
  const producer = await eddy.producer('to-sink');
  for (let i = 0; i < 50; i++) void producer.send(`k${i}`, `r${i}`);
  await producer.flush();

  const written: string[] = [];
  let failures = 0;
  let permanent = false;
  const sink = defineSink({
    name: 'mem-sink', version: '0.1.0', description: 'memory',
    options: { type: 'object' },
    retry: { attempts: 5, initialDelayMs: 10 },
    open() {
      return {
        async write(batch: readonly SinkRecord[]) {
          if (permanent) throw new PermanentError('table is gone');
          if (failures < 2) { failures++; throw new Error('system busy'); }
          for (const r of batch) written.push(r.value.toString());
        },
      };
    },
  });
  const config = 'meta: {name: mem, type: mem-sink, topic: to-sink, consumer: {offset: {start: beginning}}}\n';
  const waitFor = async (n: number) => { for (let i = 0; i < 500 && written.length < n; i++) await new Promise((r) => setTimeout(r, 20)); };

  let c = await startConnector(sink, { configText: config, endpoint: b.endpoint, logger: silentLogger(), metricsPort: -1 });
  await waitFor(50);
  await c.stop();
  await c.done;
  assert.equal(failures, 2);
  assert.equal(written.length, 50);
  assert.equal(new Set(written).size, 50);
  assert.ok(c.metrics.errorCount >= 2);

  // More records while the sink is down; the restart continues exactly after the committed offsets.
  for (let i = 50; i < 80; i++) void producer.send(`k${i}`, `r${i}`);
  await producer.flush();
  c = await startConnector(sink, { configText: config, endpoint: b.endpoint, logger: silentLogger(), metricsPort: -1 });
  await waitFor(80);
  await c.stop();
  assert.equal(written.length, 80);
  assert.deepEqual(new Set(written), new Set(Array.from({ length: 80 }, (_, i) => `r${i}`)));

  // A permanent failure stops the sink without committing: the records come again afterwards.
  for (let i = 80; i < 85; i++) void producer.send(null, `r${i}`, { partition: 0 });
  await producer.flush();
  permanent = true;
  c = await startConnector(sink, { configText: config, endpoint: b.endpoint, logger: silentLogger(), metricsPort: -1 });
  await assert.rejects(c.done, /table is gone/);
  permanent = false;
  c = await startConnector(sink, { configText: config, endpoint: b.endpoint, logger: silentLogger(), metricsPort: -1 });
  await waitFor(85);
  await c.stop();
  assert.equal(written.length, 85);
  assert.deepEqual(written.slice(80), ['r80', 'r81', 'r82', 'r83', 'r84']);
  await eddy.close();
});

test('a sink reads ahead while it writes, yet writes one batch at a time in order and commits only what it wrote', async () => {
  const eddy = await Eddy.connect({ endpoint: b.endpoint });
  await eddy.admin().createTopic('ahead', { partitions: 1 });
  const producer = await eddy.producer('ahead');
  const written: string[] = [];
  let active = 0;
  let maxActive = 0;
  let entered: () => void = () => {};
  let release: () => void = () => {};
  const firstWrite = new Promise<void>((r) => { entered = r; });
  const gate = new Promise<void>((r) => { release = r; });
  const sink = defineSink({
    name: 'slow-sink', version: '0.1.0', description: 'slow',
    options: { type: 'object' },
    open() {
      return {
        async write(batch: readonly SinkRecord[]) {
          maxActive = Math.max(maxActive, ++active);
          entered();
          if (written.length === 0) await gate;
          for (const r of batch) written.push(r.value.toString());
          active--;
        },
      };
    },
  });
  const config = 'meta: {name: slow, type: slow-sink, topic: ahead, consumer: {offset: {start: beginning}}}\n';
  await producer.send(null, 'a0');
  let c = await startConnector(sink, { configText: config, endpoint: b.endpoint, logger: silentLogger(), metricsPort: -1 });
  await firstWrite;
  // More records while the first write is held: the sink reads them ahead, but stopping now must
  // neither write nor commit them.
  for (let i = 1; i < 10; i++) void producer.send(null, `a${i}`);
  await producer.flush();
  await new Promise((r) => setTimeout(r, 300));
  const stopped = c.stop();
  release();
  await stopped;
  assert.deepEqual(written, ['a0']);
  const committed = (await eddy.admin().listConsumers('ahead')).filter((x) => x.consumer === 'slow');
  assert.deepEqual(committed.map((x) => x.offset), [1]);

  c = await startConnector(sink, { configText: config, endpoint: b.endpoint, logger: silentLogger(), metricsPort: -1 });
  for (let i = 0; i < 500 && written.length < 10; i++) await new Promise((r) => setTimeout(r, 20));
  await c.stop();
  assert.deepEqual(written, Array.from({ length: 10 }, (_, i) => `a${i}`));
  assert.equal(maxActive, 1, 'one write at a time');
  assert.deepEqual((await eddy.admin().listConsumers('ahead')).filter((x) => x.consumer === 'slow').map((x) => x.offset), [10]);
  await eddy.close();
});

test('an unreachable cluster exhausts the retry budget and fails with one line', async () => {
  const src = defineSource({ ...counter, retry: { attempts: 2, initialDelayMs: 10 } });
  const c = await startConnector(src, { configText: 'meta: {name: cnt, type: counter-source, topic: x}\n', endpoint: '127.0.0.1:1', logger: silentLogger(), metricsPort: -1 });
  await assert.rejects(c.done, (e: Error) => {
    assert.match(e.message, /^connecting to Eddy at 127\.0\.0\.1:1: gave up after 2 attempts: /);
    assert.ok(!e.message.includes('\n'));
    return true;
  });
});

test('runConnector: metadata, docs, usage and config errors', async () => {
  let out = '';
  let err = '';
  const io = { exit: false, stdout: (t: string) => { out += t; }, stderr: (t: string) => { err += t; } };
  assert.equal(await runConnector(counter, ['node', 'counter-source', 'metadata'], io), EXIT_OK);
  const md = JSON.parse(out);
  assert.equal(md.name, 'counter-source');
  assert.equal(md.direction, 'Source');
  assert.equal(md.schema.properties.count.default, 5);
  out = '';
  assert.equal(await runConnector(counter, ['node', 'counter-source', 'docs'], io), EXIT_OK);
  assert.match(out, /\| `counter\.count` \| integer \| `5` \|/);
  assert.equal(await runConnector(counter, ['node', 'counter-source'], io), EXIT_USAGE);
  assert.match(err, /--config FILE is required/);
  err = '';
  assert.equal(await runConnector(counter, ['node', 'counter-source', '--config', '/nonexistent.yaml'], io), EXIT_USAGE);
  assert.equal(err, "counter-source: cannot read config file '/nonexistent.yaml': ENOENT\n");
});

test('/metrics serves the counters', async () => {
  const c = await startConnector(counter, { configText: 'meta: {name: cnt2, type: counter-source, topic: counted2}\ncounter: {count: 7}\n', endpoint: b.endpoint, logger: silentLogger(), metricsPort: 0 });
  const port = c.metricsPort;
  assert.ok(port > 0);
  await c.done;
  // The server closes with the connector: read it from a fresh one over the same metrics.
  const { serveMetrics } = await import('./support.ts');
  const s = await serveMetrics(c.metrics, 0);
  const text = await (await fetch(`http://127.0.0.1:${s.port}/metrics`)).text();
  s.server.close();
  assert.match(text, /eddy_connector_records_in_total\{connector="cnt2",direction="source"\} 7/);
  assert.match(text, /eddy_connector_records_out_total\{connector="cnt2",direction="source"\} 7/);
  assert.match(text, /eddy_connector_errors_total\{connector="cnt2",direction="source"\} 0/);
});
