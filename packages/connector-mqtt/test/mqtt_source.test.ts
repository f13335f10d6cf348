import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import mqtt from 'mqtt';
import { Ajv } from 'ajv';
import { connectorMetadata, startConnector } from '@eddy/connector';
import { launchBroker, type LaunchedBroker } from '../../broker/test/support/launcher.ts';
import { mqttSource } from '../src/mod.ts';
import { startAedes, startMosquitto, startMosquittoTls, type AedesBroker, type MqttBroker } from './support/mqtt_brokers.ts';
import { startProxy } from './support/pausable_proxy.ts';
import { readTopic, topicCount, until } from '../../connector/test/eddy_topics.ts';
import { eventLog } from './support/log_events.ts';

const SOURCE_BIN = new URL('../bin/mqtt-source.ts', import.meta.url).pathname;
let eddy: LaunchedBroker;
let mosquitto: MqttBroker;
let aedes: AedesBroker;
let dir: string;
before(async () => {
  [eddy, mosquitto, aedes] = await Promise.all([launchBroker(), startMosquitto(), startAedes()]);
  dir = mkdtempSync(join(tmpdir(), 'eddy-mqtt-source-'));
});
const children: ChildProcess[] = [];
after(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL'); // left by a failed test
  await Promise.all([eddy.close(), mosquitto.close(), aedes.close()]);
  rmSync(dir, { recursive: true, force: true });
});

async function publisher(url: string, protocolVersion: 4 | 5 = 4) {
  return await mqtt.connectAsync(url, { protocolVersion, clientId: `pub-${Math.random().toString(36).slice(2)}` });
}

test('metadata: Fluvio shape, and the schema validates against the JSON Schema draft-07 meta-schema', () => {
  const m = connectorMetadata(mqttSource);
  assert.deepEqual(Object.keys(m).sort(), ['description', 'direction', 'name', 'schema', 'version']);
  assert.equal(m.name, 'mqtt-source');
  assert.equal(String(m.direction).toLowerCase(), 'source');
  const ajv = new Ajv({ strict: false });
  assert.equal(ajv.validateSchema(m.schema as object), true, JSON.stringify(ajv.errors));
  assert.equal(ajv.validate(m.schema as object, { url: 'mqtt://h:1883', topic: 'a/#', qos: 2 }), true);
  assert.equal(ajv.validate(m.schema as object, { url: 'mqtt://h:1883', topic: 'a/#', qos: 3 }), false);
});

test('Mosquitto, MQTT 5, QoS 1: wildcard filters, json payloads, keyed by MQTT topic, MQTT 5 properties as headers', async () => {
  const log = eventLog();
  const c = await startConnector(mqttSource, {
    configText: `apiVersion: 0.2.0
meta: {name: m5, type: mqtt-source, topic: {meta: {name: from-mqtt-5}, partition: {count: 2}}}
mqtt:
  url: ${mosquitto.url}
  topic: ["plant/+/temperature", "alerts/#"]
  protocol_version: 5
  qos: 1
  payload_output_type: json
`, endpoint: eddy.endpoint, logger: log.logger, metricsPort: -1,
  });
  await log.waitFor('subscribed');
  try {
    const pub = await publisher(mosquitto.url, 5);
    await pub.publishAsync('plant/a/temperature', JSON.stringify({ v: 1 }), { qos: 1, properties: { contentType: 'application/json', userProperties: { site: 'north' } } });
    await pub.publishAsync('plant/a/humidity', 'not subscribed', { qos: 1 });
    await pub.publishAsync('plant/b/temperature', JSON.stringify({ v: 2 }), { qos: 1 });
    await pub.publishAsync('alerts/x/y', 'plain text', { qos: 0 });
    await pub.endAsync();
    await until(() => c.metrics.out >= 3, 20_000, '3 records stored');
    const recs = await readTopic(eddy.endpoint, 'from-mqtt-5', 3);
    const byKey = new Map(recs.map((r) => [r.key, r]));
    assert.deepEqual([...byKey.keys()].sort(), ['alerts/x/y', 'plant/a/temperature', 'plant/b/temperature']);
    assert.deepEqual(JSON.parse(byKey.get('plant/a/temperature')!.value), { mqtt_topic: 'plant/a/temperature', payload: { v: 1 } });
    assert.deepEqual(JSON.parse(byKey.get('alerts/x/y')!.value), { mqtt_topic: 'alerts/x/y', payload: 'plain text' });
    assert.equal(byKey.get('plant/a/temperature')!.headers['content-type'], 'application/json');
    assert.equal(byKey.get('plant/a/temperature')!.headers.site, 'north');
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(await topicCount(eddy.endpoint, 'from-mqtt-5'), 3, 'the unsubscribed topic was not produced');
  } finally {
    await c.stop();
  }
  await c.done;
});

test('Mosquitto, MQTT 3.1.1, QoS 0 and 2: binary payloads as byte arrays; payload records with an event time field', async () => {
  for (const qos of [0, 2] as const) {
    const topic = `from-mqtt-q${qos}`;
    const log = eventLog();
    const c = await startConnector(mqttSource, {
      configText: `meta: {name: q${qos}, type: mqtt-source, topic: ${topic}}\nmqtt: {url: "${mosquitto.url}", topic: "q${qos}/#", qos: ${qos}}\n`,
      endpoint: eddy.endpoint, logger: log.logger, metricsPort: -1,
    });
    await log.waitFor('subscribed');
    const pub = await publisher(mosquitto.url);
    for (let i = 0; i < 50; i++) await pub.publishAsync(`q${qos}/dev${i % 5}`, Buffer.from([i, 255, 0]), { qos });
    await pub.endAsync();
    await until(() => c.metrics.out >= 50, 20_000, `50 records at QoS ${qos}`);
    await c.stop();
    const recs = await readTopic(eddy.endpoint, topic, 50);
    assert.equal(recs.length, 50);
    const values = recs.map((r) => JSON.parse(r.value) as { mqtt_topic: string; payload: number[] });
    for (const v of values) assert.equal(v.mqtt_topic, `q${qos}/dev${v.payload[0] % 5}`);
    assert.deepEqual(values.map((v) => v.payload[0]).sort((a, b) => a - b), Array.from({ length: 50 }, (_, i) => i));
    assert.deepEqual(values[0].payload.slice(1), [255, 0]);
  }

  const log = eventLog();
  const c = await startConnector(mqttSource, {
    configText: `meta: {name: raw, type: mqtt-source, topic: from-mqtt-raw}\nmqtt: {url: "${mosquitto.url}", topic: "raw/+", record_value: payload, timestamp_field: time}\n`,
    endpoint: eddy.endpoint, logger: log.logger, metricsPort: -1,
  });
  await log.waitFor('subscribed');
  const pub = await publisher(mosquitto.url);
  const reading = JSON.stringify({ sensor: 's1', time: '2025-01-01T08:00:00.000Z' });
  await pub.publishAsync('raw/s1', reading, { qos: 1 });
  await pub.endAsync();
  await until(() => c.metrics.out >= 1);
  await c.stop();
  const [r] = await readTopic(eddy.endpoint, 'from-mqtt-raw', 1);
  assert.equal(r.value, reading);
  assert.equal(r.key, 'raw/s1');
  assert.equal(r.timestamp, Date.parse('2025-01-01T08:00:00.000Z'));
});

test('aedes: a QoS 1 message is acknowledged upstream only after the cluster acknowledged its record', async () => {
  const proxy = await startProxy('127.0.0.1', eddy.port);
  const acked: number[] = [];
  const onAck = (packet: { messageId?: number } | null, client: { id: string } | null): void => {
    if (client?.id === 'ack-test' && packet !== null) acked.push(packet.messageId ?? -1);
  };
  aedes.aedes.on('ack', onAck as never);
  const log = eventLog();
  const c = await startConnector(mqttSource, {
    configText: `meta: {name: acks, type: mqtt-source, topic: from-aedes, producer: {linger: 0ms}}\nmqtt: {url: "${aedes.url}", topic: "acks/#", client_id: ack-test, qos: 1}\n`,
    endpoint: proxy.endpoint, logger: log.logger, metricsPort: -1,
  });
  await log.waitFor('subscribed');
  try {
    const pub = await publisher(aedes.url);
    // A first message opens every connection the producer needs (through the proxy).
    await pub.publishAsync('acks/warm-up', 'w', { qos: 1 });
    await until(() => acked.length === 1, 10_000, 'the warm-up PUBACK');
    proxy.pause(); // produce requests reach the cluster, its answers wait in the proxy
    for (let i = 0; i < 20; i++) await pub.publishAsync(`acks/${i}`, `m${i}`, { qos: 1 });
    await pub.endAsync();
    await until(() => c.metrics.in >= 21, 10_000, 'the connector received all 20');
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(acked.length, 1, 'no PUBACK before the cluster acknowledged');
    assert.equal(c.metrics.out, 1);
    proxy.resume();
    await until(() => acked.length >= 21, 10_000, '20 PUBACKs');
    assert.equal(c.metrics.out, 21);
  } finally {
    aedes.aedes.removeListener('ack', onAck as never);
    await c.stop();
    await proxy.close();
  }
});

test('aedes: mqtt-source killed (SIGKILL) with acknowledgements held, restarted with its client id: every message in the topic at least once', async () => {
  const proxy = await startProxy('127.0.0.1', eddy.port);
  const cfg = join(dir, 'kill.yaml');
  writeFileSync(cfg, `meta:\n  name: kill-source\n  type: mqtt-source\n  topic: from-aedes-kill\n  producer: {linger: 0ms}\nmqtt:\n  url: ${aedes.url}\n  topic: kill/#\n  client_id: kill-source\n  qos: 1\n`);
  const run = (endpoint: string): ChildProcess => {
    const child = spawn(process.execPath, [SOURCE_BIN, '--config', cfg, '--endpoint', endpoint, '--metrics-port', '-1'], { stdio: ['ignore', 'ignore', 'pipe'] });
    children.push(child);
    return child;
  };
  // First run: creates the persistent session (subscription), then goes away cleanly.
  let child = run(eddy.endpoint);
  await until(() => aedes.aedes.connectedClients > 0 && [...Object.keys((aedes.aedes as unknown as { clients: object }).clients)].includes('kill-source'), 20_000, 'the connector connected');
  await new Promise((r) => setTimeout(r, 300));
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));

  child = run(proxy.endpoint);
  await until(() => Object.keys((aedes.aedes as unknown as { clients: object }).clients).includes('kill-source'), 20_000, 'the connector reconnected');
  const pub = await publisher(aedes.url);
  // A first message opens every connection the producer needs (through the proxy).
  await pub.publishAsync('kill/warm-up', 'w', { qos: 1 });
  await until(async () => (await topicCount(eddy.endpoint, 'from-aedes-kill')) === 1, 20_000, 'the warm-up record');
  proxy.pause();
  for (let i = 0; i < 30; i++) await pub.publishAsync(`kill/${i}`, `k${i}`, { qos: 1 });
  await until(async () => (await topicCount(eddy.endpoint, 'from-aedes-kill')) >= 31, 20_000, 'records stored while their acks are held');
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  proxy.resume();
  await proxy.close();

  // The broker kept the unacknowledged messages for the session and sends them again.
  child = run(eddy.endpoint);
  let err = '';
  child.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
  await until(async () => (await topicCount(eddy.endpoint, 'from-aedes-kill')) >= 61, 20_000, 'redelivered messages');
  for (let i = 30; i < 40; i++) await pub.publishAsync(`kill/${i}`, `k${i}`, { qos: 1 });
  await pub.endAsync();
  await until(async () => (await topicCount(eddy.endpoint, 'from-aedes-kill')) >= 71, 20_000, 'new messages');
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  assert.equal(err, '');
  const values = new Set((await readTopic(eddy.endpoint, 'from-aedes-kill', 71)).map((r) => (JSON.parse(r.value) as { payload: number[] }).payload));
  const texts = new Set([...values].map((p) => Buffer.from(p).toString()));
  for (let i = 0; i < 40; i++) assert.ok(texts.has(`k${i}`), `k${i} stored`);
});

test('Mosquitto over TLS (mqtts://, a CA file), MQTT 5: messages arrive; an untrusted certificate is refused', async () => {
  const tls = await startMosquittoTls();
  try {
    const log = eventLog();
    const c = await startConnector(mqttSource, {
      configText: `meta: {name: tls, type: mqtt-source, topic: from-mqtts}\nmqtt: {url: "${tls.url}", topic: "secure/#", protocol_version: 5, ca_file: ${JSON.stringify(tls.caFile)}}\n`,
      endpoint: eddy.endpoint, logger: log.logger, metricsPort: -1,
    });
    await log.waitFor('subscribed');
    const pub = await mqtt.connectAsync(tls.url, { protocolVersion: 5, ca: readFileSync(tls.caFile) });
    await pub.publishAsync('secure/a', 'over tls', { qos: 1 });
    await pub.endAsync();
    await until(() => c.metrics.out >= 1);
    await c.stop();
    const [r] = await readTopic(eddy.endpoint, 'from-mqtts', 1);
    assert.equal(Buffer.from((JSON.parse(r.value) as { payload: number[] }).payload).toString(), 'over tls');

    // Without the CA the certificate does not verify: open fails (retried, then the connector fails).
    const bad = await startConnector({ ...mqttSource, retry: { attempts: 2, initialDelayMs: 10, maxDelayMs: 10 } }, {
      configText: `meta: {name: tls-bad, type: mqtt-source, topic: from-mqtts}\nmqtt: {url: "${tls.url}", topic: "secure/#", timeout: 5}\n`,
      endpoint: eddy.endpoint, logger: eventLog().logger, metricsPort: -1,
    });
    await assert.rejects(bad.done, /certificate|self.signed|verify/i);
  } finally {
    await tls.close();
  }
});
