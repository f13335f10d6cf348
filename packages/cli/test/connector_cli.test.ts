// Cluster-managed connectors end to end: a real broker runs a real file-source process created
// with `eddy connector create`, restarts it after kill -9, captures its log, keeps secrets out of
// every output, restarts it on update and stops it on delete.
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Eddy, Offset } from '@eddy/client';
import type { Connector } from '@eddy/protocol';
import { launchBroker, type LaunchedBroker } from '../../broker/test/support/launcher.ts';
import { eddy, ok, oneLineError, tempHome } from './helpers.ts';

const SECRET_TOPIC = 'sekret-lines-7q';
const UNUSED_SECRET = 'hunter2-never-shown';
let b: LaunchedBroker;
let dir: string;
let home: string;
let brokerLog: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'eddy-connector-cli-'));
  brokerLog = join(dir, 'broker.log');
  b = await launchBroker({ logger: { level: 'info', logFile: brokerLog } });
  home = tempHome();
});
after(async () => {
  await b.close();
  rmSync(dir, { recursive: true, force: true });
  rmSync(home, { recursive: true, force: true });
});

const cli = (args: string[]) => eddy(['--endpoint', b.endpoint, ...args], { home });

async function list(): Promise<Connector[]> {
  return JSON.parse(ok(await cli(['connector', 'list', '-O', 'json'])).stdout) as Connector[];
}

async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function connectorNamed(name: string, ok: (c: Connector) => boolean): Promise<Connector> {
  return waitFor(`connector ${name}`, async () => (await b.broker.controller.connector(name) && ok(b.broker.controller.connector(name)! as Connector) ? b.broker.controller.connector(name) as Connector : undefined));
}

async function topicValues(topic: string, n: number): Promise<string[]> {
  return waitFor(`${n} records in ${topic}`, async () => {
    if (!b.broker.controller.topic(topic)) return undefined;
    const client = await Eddy.connect({ endpoint: b.endpoint });
    const out: string[] = [];
    try {
      for await (const r of client.consumer(topic).stream(Offset.beginning(), { stopAtEnd: true })) out.push(r.value.toString());
    } finally {
      await client.close();
    }
    return out.length >= n ? out : undefined;
  });
}

const alive = (pid: number): boolean => { try { process.kill(pid, 0); return true; } catch { return false; } };

test('connector create | list | kill -9 restart | logs | secrets hidden | update | delete', async () => {
  const input = join(dir, 'in.txt');
  writeFileSync(input, 'one\ntwo\n');
  const cfg = join(dir, 'source.yaml');
  writeFileSync(cfg, [
    'apiVersion: 0.2.0',
    'meta:',
    '  name: lines',
    '  type: file-source',
    '  version: 0.1.0',
    '  topic: ${{ secrets.TOPIC }}',
    'file:',
    `  path: ${JSON.stringify(input)}`,
    '  mode: tail',
    '  poll_interval_ms: 50',
    `  position_file: ${JSON.stringify(join(dir, 'pos'))}`,
    '',
  ].join('\n'));
  const secrets = join(dir, 'secrets.env');
  writeFileSync(secrets, `TOPIC=${SECRET_TOPIC}\nPASSWORD="${UNUSED_SECRET}"\n`);

  assert.match(ok(await cli(['connector', 'create', '--config', cfg, '--secrets', secrets])).stdout, /connector "lines" created/);
  // The secret reached the connector: its records are in the topic the secret names.
  assert.deepEqual(await topicValues(SECRET_TOPIC, 2), ['one', 'two']);
  assert.match(oneLineError(await cli(['connector', 'create', '--config', cfg, '--secrets', secrets])), /already exists/);

  const running = await waitFor('Running', async () => (await list()).find((c) => c.name === 'lines' && c.status.state === 'Running'));
  assert.equal(running.status.restarts, 0);
  assert.equal(running.spec.type, 'file-source');
  const table = ok(await cli(['connector', 'list'])).stdout;
  assert.match(table, /lines\s+file-source\s+Running\s+0/);
  const pid1 = running.status.pid!;
  assert.ok(alive(pid1));

  process.kill(pid1, 'SIGKILL');
  const restarted = await waitFor('a restart', async () => (await list()).find((c) => c.status.restarts === 1 && c.status.state === 'Running' && c.status.pid !== pid1));
  assert.match(restarted.status.lastError ?? '', /killed by SIGKILL/);
  appendFileSync(input, 'three\n');
  assert.deepEqual((await topicValues(SECRET_TOPIC, 3)).slice(0, 3), ['one', 'two', 'three']);

  const logs = ok(await cli(['connector', 'logs', 'lines'])).stdout;
  assert.match(logs, /\[eddy\] started file-source/);
  assert.match(logs, /killed by SIGKILL; restarting/);
  assert.ok(logs.split('\n').some((l) => l.startsWith('{') && l.includes('"connector":"file-source"')), `connector's own log lines are captured:\n${logs}`);
  assert.equal(ok(await cli(['connector', 'logs', 'lines', '--lines', '1'])).stdout.split('\n').length, 2);

  // Secrets: in none of list, describe, logs, the broker log or the metadata store; the file is 0600.
  const describe = ok(await cli(['connector', 'describe', 'lines'])).stdout;
  assert.match(describe, /PASSWORD, TOPIC/);
  assert.match(describe, /secrets\.TOPIC/);
  const json = ok(await cli(['connector', 'describe', 'lines', '-O', 'json'])).stdout;
  const shown = [table, describe, json, logs, JSON.stringify(await list())].join('\n');
  assert.ok(shown.includes('lines'));
  assert.ok(!shown.includes(SECRET_TOPIC), 'the topic secret never shows in connector output (the topic itself exists, of course)');
  const everything = [shown, readFileSync(brokerLog, 'utf8'), ...storeFiles(join(b.dataDir, 'metadata'))].join('\n');
  assert.ok(everything.includes('created connector'));
  assert.ok(!everything.includes(UNUSED_SECRET), 'the unused secret is in no output, broker log or metadata file');
  assert.equal(statSync(join(b.dataDir, 'connectors', 'lines', 'secrets.env')).mode & 0o777, 0o600);

  // update: a changed config restarts it with the new config (secrets kept).
  const cfg2 = join(dir, 'source2.yaml');
  writeFileSync(cfg2, readFileSync(cfg, 'utf8').replace('${{ secrets.TOPIC }}', 'updated-lines').replace('mode: tail', 'mode: once').replace(/position_file: .*\n/, ''));
  assert.match(ok(await cli(['connector', 'update', '--config', cfg2])).stdout, /connector "lines" updated/);
  assert.deepEqual(await topicValues('updated-lines', 3), ['one', 'two', 'three']);
  const updated = await connectorNamed('lines', (c) => c.spec.generation === 2 && c.status.state === 'Stopped');
  assert.equal(updated.status.restarts, 0, 'a read-once source that finished is Stopped, not restarted');
  assert.ok(!alive(restarted.status.pid!), 'the old process was stopped');
  assert.deepEqual(updated.spec.secretNames, ['PASSWORD', 'TOPIC']);

  // Back to tailing, then delete stops the process and removes its files.
  ok(await cli(['connector', 'update', '--config', cfg]));
  const again = await connectorNamed('lines', (c) => c.spec.generation === 3 && c.status.state === 'Running');
  ok(await cli(['connector', 'delete', 'lines']));
  assert.ok(!alive(again.status.pid!), 'delete stopped the process');
  assert.deepEqual(await list(), []);
  assert.ok(!readdirSync(join(b.dataDir, 'connectors')).includes('lines'));
  assert.match(oneLineError(await cli(['connector', 'logs', 'lines'])), /unknown connector 'lines'/);
});

test('connector create refuses an unknown type; a bad config is Failed with its error', async () => {
  const unknown = join(dir, 'unknown.yaml');
  writeFileSync(unknown, 'meta: {name: nope, type: carrier-pigeon-source, topic: t}\n');
  assert.match(oneLineError(await cli(['connector', 'create', '--config', unknown])), /unknown connector type 'carrier-pigeon-source'/);

  const missingSecret = join(dir, 'missing.yaml');
  writeFileSync(missingSecret, 'meta: {name: nosecret, type: file-source, topic: "${{ secrets.NOT_GIVEN_ANYWHERE }}"}\nfile: {path: /x}\n');
  assert.match(oneLineError(await cli(['connector', 'create', '--config', missingSecret])), /secret 'NOT_GIVEN_ANYWHERE' is not set/);

  // The broker accepts it (name and type are fine); the connector rejects its own section.
  const bad = join(dir, 'bad.yaml');
  writeFileSync(bad, 'meta: {name: broken, type: file-source, topic: t}\nfile: {mode: sideways}\n');
  ok(await cli(['connector', 'create', '--config', bad]));
  const failed = await waitFor('Failed', async () => (await list()).find((c) => c.name === 'broken' && c.status.state === 'Failed'));
  assert.match(failed.status.lastError ?? '', /exit code 2: .*file/);
  assert.match(ok(await cli(['connector', 'list'])).stdout, /broken\s+file-source\s+Failed\s+0\s+-\s+exit code 2/);
  ok(await cli(['connector', 'delete', 'broken']));
});

function storeFiles(root: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(root, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) out.push(readFileSync(join(e.parentPath, e.name), 'latin1'));
  }
  return out;
}
