import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { pino } from 'pino';
import { Eddy } from '@eddy/client';
import { until } from '../../connector/test/eddy_topics.ts';
import { startConnector } from '@eddy/connector';
import { launchBroker, spawnBroker, type LaunchedBroker } from '../../broker/test/support/launcher.ts';
import { jsonSqlWasm } from '../smartmodule/build.ts';
import { sqlSink } from '../src/mod.ts';
import { startPostgres, type PostgresServer } from './postgres_server.ts';

const SINK_BIN = new URL('../bin/sql-sink.ts', import.meta.url).pathname;
const silent = () => pino({ level: 'silent' });
let b: LaunchedBroker;
let pgs: PostgresServer;
let db: pg.Client;
let dir: string;

before(async () => {
  [b, pgs] = await Promise.all([launchBroker(), startPostgres()]);
  db = new pg.Client({ connectionString: pgs.url });
  await db.connect();
  dir = mkdtempSync(join(tmpdir(), 'eddy-sql-conn-'));
});
after(async () => {
  await db.end();
  pgs.stop();
  await b.close();
  rmSync(dir, { recursive: true, force: true });
});

const ins = (table: string, values: [string, string, string][]): string =>
  JSON.stringify({ Insert: { table, values: values.map(([column, raw_value, type]) => ({ column, raw_value, type })) } });
const ups = (table: string, values: [string, string, string][], uniq_idx: string): string =>
  JSON.stringify({ Upsert: { table, values: values.map(([column, raw_value, type]) => ({ column, raw_value, type })), uniq_idx } });

async function produce(endpoint: string, topic: string, values: string[], partitions = 1, key?: (i: number) => string): Promise<void> {
  const eddy = await Eddy.connect({ endpoint });
  try {
    await eddy.admin().createTopic(topic, { partitions }).catch(() => {});
    const p = await eddy.producer(topic);
    values.forEach((v, i) => { void p.send(key?.(i) ?? null, v); });
    await p.flush();
  } finally {
    await eddy.close();
  }
}

test('sql-sink PostgreSQL: typed inserts and upserts in one transaction per batch; resume writes nothing twice', async () => {
  await db.query('CREATE TABLE typed (id INT, big BIGINT, ok BOOL, price NUMERIC, ratio DOUBLE PRECISION, name TEXT, at TIMESTAMP, day DATE, doc JSONB, uid UUID, raw BYTEA)');
  await db.query('CREATE TABLE latest (k INT PRIMARY KEY, v TEXT)');
  const values: string[] = [];
  for (let i = 0; i < 200; i++) {
    values.push(ins('typed', [
      ['id', String(i), 'Int'], ['big', String(2n ** 40n + BigInt(i)), 'BigInt'], ['ok', i % 2 === 0 ? 'true' : 'false', 'Bool'],
      ['price', `${i}.25`, 'Numeric'], ['ratio', String(i / 4), 'DoublePrecision'], ['name', `n'"${i}`, 'Text'],
      ['at', '2024-01-02 03:04:05', 'Timestamp'], ['day', '2024-01-02', 'Date'], ['doc', JSON.stringify({ i }), 'Json'],
      ['uid', '123e4567-e89b-12d3-a456-426614174000', 'Uuid'], ['raw', '\\x0102', 'Bytes'],
    ]));
    values.push(ups('latest', [['k', String(i % 10), 'Int'], ['v', `v${i}`, 'Text']], 'k'));
  }
  await produce(b.endpoint, 'pg-typed', values);
  const config = `meta: {name: pg-typed, type: sql-sink, topic: pg-typed, consumer: {offset: {start: beginning}}}\nsql: {url: "${pgs.url}"}\n`;
  let c = await startConnector(sqlSink, { configText: config, endpoint: b.endpoint, logger: silent(), metricsPort: -1 });
  await until(() => c.metrics.out >= 400);
  await c.stop();
  const rows = (await db.query('SELECT id, big::text, ok, price::text, ratio, name, at::text, day::text, doc, uid::text, encode(raw, \'hex\') AS raw FROM typed ORDER BY id')).rows;
  assert.equal(rows.length, 200);
  assert.deepEqual(rows[3], {
    id: 3, big: String(2n ** 40n + 3n), ok: false, price: '3.25', ratio: 0.75, name: 'n\'"3', at: '2024-01-02 03:04:05',
    day: '2024-01-02', doc: { i: 3 }, uid: '123e4567-e89b-12d3-a456-426614174000', raw: '0102',
  });
  const latest = (await db.query('SELECT k, v FROM latest ORDER BY k')).rows;
  assert.deepEqual(latest, Array.from({ length: 10 }, (_, k) => ({ k, v: `v${190 + k}` })));
  const pos = (await db.query('SELECT partition, next_offset FROM eddy_sink_offsets WHERE consumer = $1', ['pg-typed'])).rows;
  assert.deepEqual(pos, [{ partition: 0, next_offset: '400' }]);

  // A restart resumes after what was written (nothing twice), and a record outside the model
  // stops the sink without committing it (never skipped).
  await produce(b.endpoint, 'pg-typed', [ins('typed', [['id', '1000', 'Int']]), 'not json', ins('typed', [['id', '1001', 'Int']])]);
  c = await startConnector(sqlSink, { configText: config, endpoint: b.endpoint, logger: silent(), metricsPort: -1 });
  await assert.rejects(c.done, /not JSON/);
  assert.equal((await db.query('SELECT count(*)::int AS n FROM typed')).rows[0].n, 201);
  assert.equal((await db.query('SELECT count(*)::int AS n FROM typed WHERE id >= 1000')).rows[0].n, 1);
});

test('sql-sink SQLite (node:sqlite): inserts and upserts, typed storage, exactly once across a restart', async () => {
  const file = join(dir, 'sink.db');
  const lite = new DatabaseSync(file);
  lite.exec('CREATE TABLE readings (id INTEGER, temp REAL, ok BOOLEAN, note TEXT, doc TEXT); CREATE TABLE last (sensor TEXT PRIMARY KEY, temp REAL)');
  const make = (from: number, to: number): string[] => {
    const out: string[] = [];
    for (let i = from; i < to; i++) {
      out.push(ins('readings', [['id', String(i), 'Int'], ['temp', `${i}.5`, 'Float'], ['ok', 'true', 'Bool'], ['note', `n${i}`, 'Text'], ['doc', `{"i":${i}}`, 'Json']]));
      out.push(ups('last', [['sensor', `s${i % 3}`, 'Text'], ['temp', `${i}.5`, 'Float']], 'sensor'));
    }
    return out;
  };
  await produce(b.endpoint, 'lite', make(0, 50));
  const config = `meta: {name: lite, type: sql-sink, topic: lite, consumer: {offset: {start: beginning}}}\nsql: {url: "sqlite://${file}"}\n`;
  let c = await startConnector(sqlSink, { configText: config, endpoint: b.endpoint, logger: silent(), metricsPort: -1 });
  await until(() => c.metrics.out >= 100);
  await c.stop();
  await produce(b.endpoint, 'lite', make(50, 60));
  c = await startConnector(sqlSink, { configText: config, endpoint: b.endpoint, logger: silent(), metricsPort: -1 });
  await until(() => c.metrics.out >= 20);
  await c.stop();
  assert.equal(c.metrics.out, 20);
  const rows = lite.prepare('SELECT id, temp, ok, note, typeof(id) AS t FROM readings ORDER BY id').all();
  assert.equal(rows.length, 60);
  assert.deepEqual({ ...rows[7] }, { id: 7, temp: 7.5, ok: 1, note: 'n7', t: 'integer' });
  assert.deepEqual(lite.prepare('SELECT sensor, temp FROM last ORDER BY sensor').all().map((r) => ({ ...r })),
    [{ sensor: 's0', temp: 57.5 }, { sensor: 's1', temp: 58.5 }, { sensor: 's2', temp: 59.5 }]);
  lite.close();
});

test('sql-sink: Fluvio\'s README config with the json-sql transform (mapping, json-key, typed values, defaults) runs unmodified but for the url', async () => {
  const eddy = await Eddy.connect({ endpoint: b.endpoint });
  await eddy.admin().createSmartModule('infinyon/json-sql', await jsonSqlWasm());
  await eddy.close();
  await db.query('CREATE TABLE topic_message (device_id int, record json)');
  // Fluvio's published sql-sink example, as it is (USERNAME, PASSWORD, HOST, PORT, DB_NAME filled in).
  const cfg = join(dir, 'connector-config.yaml');
  writeFileSync(cfg, `# connector-config.yaml
meta:
  version: latest
  name: json-sql-connector
  type: sql-sink
  topic: sql-topic
  create-topic: true
sql:
  url: '${pgs.url}'
transforms:
  - uses: infinyon/json-sql
    with:
      mapping:
        table: "topic_message"
        map-columns:
          "device_id":
            json-key: "device.device_id"
            value:
              type: "int"
              default: "0"
              required: true
          "record":
            json-key: "$"
            value:
              type: "jsonb"
              required: true
`);
  const child = spawn(process.execPath, [SINK_BIN, '--config', cfg, '--endpoint', b.endpoint, '--metrics-port', '-1'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  let stdout = '';
  child.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
  child.stdout!.on('data', (d: Buffer) => { stdout += d.toString(); });
  const exited = new Promise((r) => child.once('exit', r));
  try {
    // Fluvio's default start is the end: produce once the sink reads.
    await until(() => stdout.includes('"event":"started"') || child.exitCode !== null);
    await new Promise((r) => setTimeout(r, 1000)); // the stream takes the end offset just after 'started'
    await produce(b.endpoint, 'sql-topic', [
      JSON.stringify({ device: { device_id: 1 } }),
      JSON.stringify({ device: { name: 'no id' } }),
      JSON.stringify({ device: { device_id: 7, tags: ['a'] } }),
    ]);
    await until(async () => (await db.query('SELECT count(*)::int AS n FROM topic_message')).rows[0].n >= 3 || child.exitCode !== null, 30_000).catch((e: unknown) => { console.error(stdout); throw e; });
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
  assert.equal(stderr, '');
  const rows = (await db.query('SELECT device_id, record FROM topic_message ORDER BY device_id')).rows;
  assert.deepEqual(rows, [
    { device_id: 0, record: { device: { name: 'no id' } } },
    { device_id: 1, record: { device: { device_id: 1 } } },
    { device_id: 7, record: { device: { device_id: 7, tags: ['a'] } } },
  ]);
});

test('sql-sink and broker killed with SIGKILL mid-stream, then restarted: upserts exactly once, inserts none skipped', async () => {
  const data = mkdtempSync(join(tmpdir(), 'eddy-sql-broker-'));
  let broker = await spawnBroker({ dataDir: data });
  const port = broker.port;
  const N = 20_000;
  await db.query('CREATE TABLE events (id INT NOT NULL, k INT)');
  await db.query('CREATE TABLE counters (k INT PRIMARY KEY, last INT)');
  const values: string[] = [];
  for (let i = 0; i < N; i++) {
    values.push(i % 2 === 0
      ? ins('events', [['id', String(i), 'Int'], ['k', String(i % 50), 'Int']])
      : ups('counters', [['k', String(i % 50), 'Int'], ['last', String(i), 'Int']], 'k'));
  }
  await produce(broker.endpoint, 'to-sql', values, 2, (i) => `k${i % 50}`);

  const cfg = join(dir, 'kill.yaml');
  writeFileSync(cfg, `apiVersion: 0.2.0\nmeta:\n  name: kill-sql\n  type: sql-sink\n  topic: to-sql\n  consumer:\n    max-bytes: 64KB\n    offset:\n      start: beginning\n      flush-period: 300ms\nsql:\n  url: "${pgs.url}"\n`);
  const run = (): ChildProcess => spawn(process.execPath, [SINK_BIN, '--config', cfg, '--endpoint', `127.0.0.1:${port}`, '--metrics-port', '-1'], { stdio: ['ignore', 'ignore', 'pipe'] });
  const count = async (): Promise<number> => (await db.query('SELECT count(*)::int AS n FROM events')).rows[0].n;
  const killed = async (child: ChildProcess): Promise<void> => {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  };

  let sink = run();
  await until(async () => (await count()) > 1500, 60_000);
  await killed(sink); // 1: the sink alone
  sink = run();
  const before = await count();
  await until(async () => (await count()) > before + 1500, 60_000);
  await broker.kill('SIGKILL'); // 2: the broker, then the sink while it cannot reach it
  await killed(sink);
  assert.ok((await count()) < N / 2, 'the kills came mid-stream');
  broker = await spawnBroker({ dataDir: data, port });
  sink = run();
  let stderr = '';
  sink.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
  try {
    await until(async () => (await count()) >= N / 2, 60_000);
    await new Promise((r) => setTimeout(r, 500)); // anything extra would show up now
  } finally {
    const exited = new Promise((r) => sink.once('exit', r));
    sink.kill('SIGTERM');
    await exited;
    await broker.stop();
    rmSync(data, { recursive: true, force: true });
  }
  assert.equal(stderr, '');
  const ids = (await db.query('SELECT id FROM events')).rows.map((r: { id: number }) => r.id);
  assert.equal(ids.length, N / 2, 'inserts: every record once');
  const seen = new Set(ids);
  for (let i = 0; i < N; i += 2) assert.ok(seen.has(i), `event ${i} present`);
  const counters = (await db.query('SELECT k, last FROM counters ORDER BY k')).rows;
  assert.equal(counters.length, 25);
  for (const { k, last } of counters as { k: number; last: number }[]) {
    assert.equal(last, N - 50 + k, `counter ${k} holds its last value`);
  }
});
