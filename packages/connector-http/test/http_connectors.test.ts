import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { pino } from 'pino';
import { WebSocketServer } from 'ws';
import { Eddy } from '@eddy/client';
import { topicValues as readValues, until } from '../../connector/test/eddy_topics.ts';
import { startConnector } from '@eddy/connector';
import { launchBroker, type LaunchedBroker } from '../../broker/test/support/launcher.ts';
import { DelimiterSplitter, httpSink, httpSource } from '../src/mod.ts';

const topicValues = (topic: string, n: number) => readValues(b.endpoint, topic, n);
const silent = () => pino({ level: 'silent' });
let b: LaunchedBroker;
let dir: string;
let server: Server;
let base: string;
let handler: (req: IncomingMessage, res: ServerResponse, body: string) => void = (_q, res) => res.end();

before(async () => {
  b = await launchBroker();
  dir = mkdtempSync(join(tmpdir(), 'eddy-http-conn-'));
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => { body += d.toString(); });
    req.on('end', () => handler(req, res, body));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
after(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  await b.close();
  rmSync(dir, { recursive: true, force: true });
});

test('DelimiterSplitter: delimiters cut across chunks, empty segments dropped, the rest at the end', () => {
  const s = new DelimiterSplitter('\n\n');
  assert.deepEqual(s.push(Buffer.from('a\n')), []);
  assert.deepEqual(s.push(Buffer.from('\nbb\n\n\n\nc')), ['a', 'bb']);
  assert.deepEqual(s.push(Buffer.from('c\n')), []);
  assert.equal(s.end(), 'cc\n');
  assert.equal(s.end(), null);
});

test('http-source polling: POST with headers and body every interval; json + full gives {status, header, body}', async () => {
  const seen: { method: string; auth: string | undefined; ua: string | undefined; body: string }[] = [];
  handler = (req, res, body) => {
    seen.push({ method: req.method!, auth: req.headers.authorization, ua: req.headers['user-agent'], body });
    res.setHeader('x-seq', String(seen.length));
    res.end(`{"n":${seen.length}}`);
  };
  const c = await startConnector(httpSource, {
    configText: [
      'apiVersion: 0.2.0',
      'meta: {name: poll, type: http-source, version: 0.1.0, topic: http-poll}',
      'http:',
      `  endpoint: ${base}/data`,
      '  method: post',
      '  body: \'{"q":1}\'',
      '  interval: 30ms',
      '  headers: ["Authorization: token ${{ secrets.TOKEN }}", "Cache-Control: no-cache"]',
      '  output_type: json',
      '  output_parts: full',
    ].join('\n'),
    env: { TOKEN: 's3cret' }, endpoint: b.endpoint, logger: silent(), metricsPort: -1,
  });
  await until(() => c.metrics.out >= 5);
  await c.stop();
  assert.ok(seen.length >= 5);
  assert.deepEqual(seen[0], { method: 'POST', auth: 'token s3cret', ua: 'eddy/http-connector 0.1.0', body: '{"q":1}' });
  const values = (await topicValues('http-poll', 5)).map((v) => JSON.parse(v) as { status: { code: number; string: string }; header: Record<string, string>; body: string });
  values.forEach((v, i) => {
    assert.equal(v.status.code, 200);
    assert.equal(v.status.string, 'OK');
    assert.equal(v.header['x-seq'], String(i + 1));
    assert.equal(v.body, `{"n":${i + 1}}`);
  });
});

test('http-source: a Fluvio-format config (its README\'s cat-facts example) runs unmodified but for the endpoint', async () => {
  let n = 0;
  handler = (req, res) => {
    n++;
    assert.equal(req.headers.authorization, 'token abc');
    assert.equal(req.headers['cache-control'], 'no-cache');
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ fact: `fact ${n}`, length: 6 }));
  };
  // Fluvio's published http-source example (apiVersion 0.1.0, create-topic, secrets, 'Name: value' headers).
  const cfg = join(dir, 'cat-facts.yaml');
  writeFileSync(cfg, `apiVersion: 0.1.0
meta:
  version: 0.3.6
  name: cat-facts
  type: http-source
  topic: cat-facts
  create-topic: true
  secrets:
    - name: AUTHORIZATION_TOKEN
http:
  endpoint: "${base}/fact"
  interval: 10s
  headers:
    - "Authorization: token \${{ secrets.AUTHORIZATION_TOKEN }}"
    - "Cache-Control: no-cache"
`);
  const secrets = join(dir, 'secrets.env');
  writeFileSync(secrets, 'AUTHORIZATION_TOKEN=abc\n');
  const c = await startConnector(httpSource, { configFile: cfg, secretsFile: secrets, env: {}, endpoint: b.endpoint, logger: silent(), metricsPort: -1 });
  await until(() => c.metrics.out >= 1);
  await c.stop();
  assert.equal(n, 1, 'one request: the next is 10 s later');
  assert.deepEqual(JSON.parse((await topicValues('cat-facts', 1))[0]), { fact: 'fact 1', length: 6 });
});

test('http-source streaming: a chunked response split at the delimiter, one record per segment', async () => {
  handler = (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    const events = Array.from({ length: 50 }, (_, i) => `event ${i}\n\n`).join('');
    // Uneven chunks so delimiters and segments straddle writes.
    let at = 0;
    const step = (): void => {
      if (at >= events.length) { res.end(); return; }
      res.write(events.slice(at, at + 7));
      at += 7;
      setImmediate(step);
    };
    step();
  };
  const c = await startConnector(httpSource, {
    configText: `meta: {name: stream, type: http-source, topic: http-stream}\nhttp: {endpoint: "${base}/stream", stream: true, delimiter: "\\n\\n", interval: 1h}\n`,
    endpoint: b.endpoint, logger: silent(), metricsPort: -1,
  });
  await until(() => c.metrics.out >= 50);
  await c.stop();
  assert.deepEqual(await topicValues('http-stream', 50), Array.from({ length: 50 }, (_, i) => `event ${i}`));
});

test('http-source WebSocket: subscription messages, pings, each message a record, reconnects after a drop', async () => {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((r) => wss.once('listening', r));
  const url = `ws://127.0.0.1:${(wss.address() as { port: number }).port}/feed`;
  const subscriptions: string[] = [];
  let pings = 0;
  let connections = 0;
  wss.on('connection', (sock, req) => {
    connections++;
    assert.equal(req.headers['x-client'], 'eddy');
    sock.on('ping', () => { pings++; });
    sock.on('message', (m) => {
      subscriptions.push(m.toString());
      if (subscriptions.length === 2) {
        // First connection: 10 messages then a drop; after reconnecting: 10 more.
        for (let i = 0; i < 10; i++) sock.send(`msg ${i}`);
        setTimeout(() => sock.terminate(), 100);
      } else if (subscriptions.length === 4) {
        for (let i = 10; i < 20; i++) sock.send(`msg ${i}`);
      }
    });
  });
  const c = await startConnector(httpSource, {
    configText: [
      'meta: {name: ws, type: http-source, topic: http-ws}',
      'http:',
      `  endpoint: ${url}`,
      '  headers: ["X-Client: eddy"]',
      '  websocket_config:',
      '    subscription_messages: [{op: subscribe, channel: a}, "hello"]',
      '    ping_interval_ms: 20',
    ].join('\n'),
    endpoint: b.endpoint, logger: silent(), metricsPort: -1,
  });
  await until(() => c.metrics.out >= 20);
  await c.stop();
  wss.close();
  assert.equal(connections, 2);
  assert.deepEqual(subscriptions, ['{"op":"subscribe","channel":"a"}', 'hello', '{"op":"subscribe","channel":"a"}', 'hello']);
  assert.ok(pings >= 2, `pings: ${pings}`);
  assert.deepEqual(await topicValues('http-ws', 20), Array.from({ length: 20 }, (_, i) => `msg ${i}`));
});

test('http-sink: one POST per record with headers, retried through 503s, committed only after a 2xx', async () => {
  const eddy = await Eddy.connect({ endpoint: b.endpoint });
  await eddy.admin().createTopic('to-http', { partitions: 1 });
  const producer = await eddy.producer('to-http');
  for (let i = 0; i < 20; i++) void producer.send(null, `r${i}`);
  await producer.flush();
  const got: string[] = [];
  let calls = 0;
  handler = (req, res, body) => {
    calls++;
    assert.equal(req.headers['x-api-key'], 'k');
    // Every third request fails once: the sink retries it, never skips or repeats a record.
    if (calls % 3 === 0) { res.statusCode = 503; res.end(); return; }
    got.push(body);
    res.statusCode = 201;
    res.end();
  };
  const config = `meta: {name: post, type: http-sink, topic: to-http, consumer: {offset: {start: beginning}}}\nhttp: {endpoint: "${base}/in", headers: ["X-Api-Key: k"]}\n`;
  const c = await startConnector(httpSink, { configText: config, endpoint: b.endpoint, logger: silent(), metricsPort: -1 });
  await until(() => c.metrics.out >= 20);
  await c.stop();
  assert.deepEqual(got, Array.from({ length: 20 }, (_, i) => `r${i}`));
  const committed = (await eddy.admin().listConsumers('to-http')).find((x) => x.consumer === 'post');
  assert.equal(committed?.offset, 20);

  // A permanent refusal (400) stops the sink without committing the refused record.
  for (let i = 20; i < 23; i++) void producer.send(null, `r${i}`);
  await producer.flush();
  handler = (_req, res, body) => {
    if (body === 'r21') { res.statusCode = 400; res.end(); return; }
    got.push(body);
    res.end();
  };
  const c2 = await startConnector(httpSink, { configText: config, endpoint: b.endpoint, logger: silent(), metricsPort: -1 });
  await assert.rejects(c2.done, /HTTP 400/);
  assert.deepEqual(got.slice(20), ['r20']);
  const after = (await eddy.admin().listConsumers('to-http')).find((x) => x.consumer === 'post');
  assert.ok(after !== undefined && after.offset <= 21, `committed ${after?.offset}`);
  await eddy.close();
});

test('http-sink batch: json posts each batch as one JSON array', async () => {
  const eddy = await Eddy.connect({ endpoint: b.endpoint });
  await eddy.admin().createTopic('to-http-batch', { partitions: 1 });
  const producer = await eddy.producer('to-http-batch');
  for (let i = 0; i < 30; i++) void producer.send(null, i % 2 === 0 ? JSON.stringify({ i }) : `text ${i}`);
  await producer.flush();
  await eddy.close();
  const items: unknown[] = [];
  let requests = 0;
  handler = (req, res, body) => {
    requests++;
    assert.equal(req.headers['content-type'], 'application/json');
    items.push(...(JSON.parse(body) as unknown[]));
    res.end();
  };
  const c = await startConnector(httpSink, {
    configText: `meta: {name: batch, type: http-sink, topic: to-http-batch, consumer: {offset: {start: beginning}}}\nhttp: {endpoint: "${base}/bulk", batch: json}\n`,
    endpoint: b.endpoint, logger: silent(), metricsPort: -1,
  });
  await until(() => c.metrics.out >= 30);
  await c.stop();
  assert.ok(requests < 30, `batched: ${requests} requests`);
  assert.deepEqual(items, Array.from({ length: 30 }, (_, i) => (i % 2 === 0 ? { i } : `text ${i}`)));
});

test('http-source and http-sink metadata (from the binaries): Fluvio\'s shape, valid draft-07 schemas', async () => {
  const { execFileSync } = await import('node:child_process');
  const AjvModule = (await import('ajv')).default as unknown as { default?: new (o: object) => { validateSchema(s: object): boolean; errors: unknown } };
  const Ajv = (AjvModule.default ?? AjvModule) as new (o: object) => { validateSchema(s: object): boolean; errors: unknown };
  for (const [bin, direction] of [['http-source', 'Source'], ['http-sink', 'Sink']] as const) {
    const out = execFileSync(process.execPath, [new URL(`../bin/${bin}.ts`, import.meta.url).pathname, 'metadata']).toString();
    const md = JSON.parse(out) as { name: string; direction: string; schema: { $schema: string; properties: Record<string, unknown> }; version: string };
    assert.deepEqual(Object.keys(md), ['name', 'direction', 'schema', 'version', 'description']);
    assert.equal(md.name, bin);
    assert.equal(md.direction, direction);
    assert.equal(md.schema.$schema, 'http://json-schema.org/draft-07/schema#');
    assert.ok('endpoint' in md.schema.properties);
    const ajv = new Ajv({ strict: false });
    assert.equal(ajv.validateSchema(md.schema), true, JSON.stringify(ajv.errors));
  }
});
