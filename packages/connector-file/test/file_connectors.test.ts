import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { pino } from 'pino';
import { Eddy } from '@eddy/client';
import { topicValues as readValues, until } from '../../connector/test/eddy_topics.ts';
import { startConnector } from '@eddy/connector';
import { launchBroker, type LaunchedBroker } from '../../broker/test/support/launcher.ts';
import { fileSink, fileSource } from '../src/mod.ts';

const SINK_BIN = new URL('../bin/file-sink.ts', import.meta.url).pathname;
const topicValues = (topic: string, n: number) => readValues(b.endpoint, topic, n);
const silent = () => pino({ level: 'silent' });
let b: LaunchedBroker;
let dir: string;
before(async () => {
  b = await launchBroker();
  dir = mkdtempSync(join(tmpdir(), 'eddy-file-conn-'));
});
after(async () => {
  await b.close();
  rmSync(dir, { recursive: true, force: true });
});

test('file-source once: one record per line, CRLF and a last line without newline included', async () => {
  const path = join(dir, 'once.txt');
  writeFileSync(path, 'alpha\nbeta\r\n\ngamma');
  const c = await startConnector(fileSource, {
    configText: `meta: {name: once, type: file-source, topic: lines-once}\nfile: {path: ${JSON.stringify(path)}}\n`,
    endpoint: b.endpoint, logger: silent(), metricsPort: -1,
  });
  await c.done;
  assert.deepEqual(await topicValues('lines-once', 4), ['alpha', 'beta', '', 'gamma']);
});

test('file-source tail with a position file: follows appends, resumes after a restart without repeats', async () => {
  const path = join(dir, 'tail.txt');
  const position = join(dir, 'tail.position');
  writeFileSync(path, Array.from({ length: 100 }, (_, i) => `line ${i}\n`).join(''));
  const config = `meta: {name: tail, type: file-source, topic: lines-tail}\nfile: {path: ${JSON.stringify(path)}, mode: tail, poll_interval_ms: 20, position_file: ${JSON.stringify(position)}}\n`;
  let c = await startConnector(fileSource, { configText: config, endpoint: b.endpoint, logger: silent(), metricsPort: -1 });
  await until(() => c.metrics.out >= 100);
  appendFileSync(path, Array.from({ length: 50 }, (_, i) => `line ${100 + i}\n`).join(''));
  await until(() => c.metrics.out >= 150);
  await c.stop();
  assert.equal(Number(readFileSync(position, 'utf8')), readFileSync(path).length);
  appendFileSync(path, 'line 150\nline 151\n');
  c = await startConnector(fileSource, { configText: config, endpoint: b.endpoint, logger: silent(), metricsPort: -1 });
  await until(() => c.metrics.out >= 2);
  await c.stop();
  assert.equal(c.metrics.out, 2);
  assert.deepEqual(await topicValues('lines-tail', 152), Array.from({ length: 152 }, (_, i) => `line ${i}`));
});

test('file-sink killed with SIGKILL mid-stream, then restarted: every record exactly once, none skipped', async () => {
  const N = 20_000;
  const eddy = await Eddy.connect({ endpoint: b.endpoint });
  await eddy.admin().createTopic('to-file', { partitions: 2 });
  const producer = await eddy.producer('to-file');
  // Produced while the sink runs and is killed: 100 records every 5 ms.
  const producing = (async () => {
    for (let i = 0; i < N; i++) {
      void producer.send(`k${i % 7}`, `rec-${i}`);
      if (i % 100 === 99) {
        await producer.flush();
        await new Promise((r) => setTimeout(r, 5));
      }
    }
    await producer.flush();
  })();

  const out = join(dir, 'out.txt');
  const cfg = join(dir, 'file-sink.yaml');
  writeFileSync(cfg, `apiVersion: 0.2.0\nmeta:\n  name: kill-test\n  type: file-sink\n  topic: to-file\n  consumer:\n    offset:\n      start: beginning\n      flush-period: 400ms\nfile:\n  path: ${JSON.stringify(out)}\n  fsync: false\n`);
  const run = (): ChildProcess => spawn(process.execPath, [SINK_BIN, '--config', cfg, '--endpoint', b.endpoint, '--metrics-port', '-1'], { stdio: ['ignore', 'ignore', 'pipe'] });
  const lineCount = (): number => (existsSync(out) ? readFileSync(out, 'utf8').split('\n').length - 1 : 0);

  for (let kill = 0; kill < 2; kill++) {
    const child = run();
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const before = lineCount();
    let err = '';
    child.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
    child.once('exit', (code) => { if (code !== null) console.error('child exited', code, err); });
    await until(() => lineCount() > before + 300, 60_000);
    child.kill('SIGKILL');
    assert.equal(await exited, null); // killed, not a clean exit
  }
  assert.ok(lineCount() < N, 'the kills came mid-stream');
  await producing;
  await eddy.close();
  const child = run();
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
  await until(() => lineCount() >= N, 60_000);
  await new Promise((r) => setTimeout(r, 300)); // anything extra would show up now
  child.kill('SIGTERM');
  await new Promise((resolve) => child.once('exit', resolve));
  assert.equal(stderr, '');

  const lines = readFileSync(out, 'utf8').split('\n');
  assert.equal(lines.pop(), '');
  assert.equal(lines.length, N);
  assert.equal(new Set(lines).size, N, 'no duplicates');
  const seen = new Set(lines);
  for (let i = 0; i < N; i++) assert.ok(seen.has(`rec-${i}`), `rec-${i} present`);
});

test('file-sink via startConnector: metadata shape and resume after a graceful stop', async () => {
  const eddy = await Eddy.connect({ endpoint: b.endpoint });
  await eddy.admin().createTopic('to-file-2', { partitions: 1 });
  const producer = await eddy.producer('to-file-2');
  for (let i = 0; i < 10; i++) void producer.send(null, `a${i}`);
  await producer.flush();
  const out = join(dir, 'out2.txt');
  const config = `meta: {name: sink2, type: file-sink, topic: to-file-2, consumer: {offset: {start: beginning}}}\nfile: {path: ${JSON.stringify(out)}}\n`;
  let c = await startConnector(fileSink, { configText: config, endpoint: b.endpoint, logger: silent(), metricsPort: -1 });
  await until(() => c.metrics.out >= 10);
  await c.stop();
  for (let i = 10; i < 15; i++) void producer.send(null, `a${i}`);
  await producer.flush();
  await eddy.close();
  c = await startConnector(fileSink, { configText: config, endpoint: b.endpoint, logger: silent(), metricsPort: -1 });
  await until(() => c.metrics.out >= 5);
  await c.stop();
  assert.equal(c.metrics.out, 5);
  assert.equal(readFileSync(out, 'utf8'), Array.from({ length: 15 }, (_, i) => `a${i}\n`).join(''));
});
