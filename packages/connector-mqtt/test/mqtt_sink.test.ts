import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import mqtt from 'mqtt';
import { Ajv } from 'ajv';
import { Eddy } from '@eddy/client';
import { connectorMetadata, startConnector } from '@eddy/connector';
import { launchBroker, type LaunchedBroker } from '../../broker/test/support/launcher.ts';
import { mqttSink } from '../src/mod.ts';
import { startAedes, startMosquitto, type AedesBroker, type MqttBroker } from './support/mqtt_brokers.ts';
import { until } from '../../connector/test/eddy_topics.ts';
import { eventLog } from './support/log_events.ts';

let eddy: LaunchedBroker;
let mosquitto: MqttBroker;
let aedes: AedesBroker;
before(async () => {
  [eddy, mosquitto, aedes] = await Promise.all([launchBroker(), startMosquitto(), startAedes()]);
});
after(async () => {
  await Promise.all([eddy.close(), mosquitto.close(), aedes.close()]);
});

async function produce(topic: string, partitions: number, values: { key: string | null; value: string }[]): Promise<void> {
  const c = await Eddy.connect({ endpoint: eddy.endpoint });
  try {
    await c.admin().createTopic(topic, { partitions });
    const p = await c.producer(topic);
    for (const v of values) void p.send(v.key, v.value);
    await p.flush();
  } finally {
    await c.close();
  }
}

async function committed(topic: string, consumer: string): Promise<number> {
  const c = await Eddy.connect({ endpoint: eddy.endpoint });
  try {
    return (await c.admin().listConsumers(topic)).filter((x) => x.consumer === consumer).reduce((n, x) => n + x.offset, 0);
  } finally {
    await c.close();
  }
}

test('metadata: Fluvio shape; the schema is valid draft-07', () => {
  const m = connectorMetadata(mqttSink);
  assert.equal(m.name, 'mqtt-sink');
  const ajv = new Ajv({ strict: false });
  assert.equal(ajv.validateSchema(m.schema as object), true, JSON.stringify(ajv.errors));
});

test('Mosquitto, MQTT 5, QoS 1: every record published to its templated topic; offsets committed', async () => {
  const N = 1000;
  await produce('to-mqtt', 2, Array.from({ length: N }, (_, i) => ({ key: `dev${i % 4}`, value: `v${i}` })));
  const sub = await mqtt.connectAsync(mosquitto.url, { protocolVersion: 5 });
  const got = new Map<string, string[]>();
  sub.on('message', (t, p) => { const l = got.get(t) ?? []; l.push(p.toString()); got.set(t, l); });
  await sub.subscribeAsync('out/#', { qos: 1 });
  const log = eventLog();
  const c = await startConnector(mqttSink, {
    configText: `meta: {name: s5, type: mqtt-sink, topic: to-mqtt, consumer: {offset: {start: beginning}}}\nmqtt: {url: "${mosquitto.url}", topic: "out/{partition}/{key}", protocol_version: 5, qos: 1}\n`,
    endpoint: eddy.endpoint, logger: log.logger, metricsPort: -1,
  });
  try {
    await until(() => [...got.values()].reduce((n, l) => n + l.length, 0) >= N, 30_000, `${N} MQTT messages`);
    await until(async () => (await committed('to-mqtt', 's5')) === N, 10_000, 'offsets committed');
  } finally {
    await c.stop();
    await sub.endAsync();
  }
  const all = [...got.values()].flat();
  assert.equal(all.length, N);
  assert.equal(new Set(all).size, N);
  for (const [t, l] of got) {
    const m = /^out\/([01])\/dev([0-3])$/.exec(t);
    assert.ok(m, `topic ${t}`);
    for (const v of l) assert.equal(Number(v.slice(1)) % 4, Number(m[2]));
  }
});

test('aedes: topic and payload taken from mqtt-source records; offsets committed only after the PUBACK', async () => {
  const records = Array.from({ length: 10 }, (_, i) => ({ key: null, value: JSON.stringify({ mqtt_topic: `back/${i}`, payload: [...Buffer.from(`p${i}`)] }) }));
  await produce('to-aedes', 1, records);
  let release: (() => void) | null = null;
  const gate = new Promise<void>((r) => { release = r; });
  // Holding authorizePublish holds the PUBACK aedes sends the sink.
  aedes.aedes.authorizePublish = (client, packet, cb) => {
    if (client?.id === 'sink-gated') void gate.then(() => cb(null)); else cb(null);
  };
  const sub = await mqtt.connectAsync(aedes.url);
  const got: [string, string][] = [];
  sub.on('message', (t, p) => got.push([t, p.toString()]));
  await sub.subscribeAsync('back/#', { qos: 1 });
  const c = await startConnector(mqttSink, {
    configText: `meta: {name: gated, type: mqtt-sink, topic: to-aedes, consumer: {offset: {start: beginning}}}\nmqtt: {url: "${aedes.url}", client_id: sink-gated, topic_field: mqtt_topic, payload_field: payload, qos: 1}\n`,
    endpoint: eddy.endpoint, logger: eventLog().logger, metricsPort: -1,
  });
  try {
    await new Promise((r) => setTimeout(r, 800));
    assert.equal(c.metrics.in > 0, true, 'the sink read records');
    assert.equal(await committed('to-aedes', 'gated'), 0, 'nothing committed before the broker acknowledged');
    release!();
    await until(async () => (await committed('to-aedes', 'gated')) === 10, 10_000, 'offsets committed after PUBACKs');
    await until(() => got.length >= 10, 10_000, 'subscriber got 10');
  } finally {
    aedes.aedes.authorizePublish = (_c, _p, cb) => cb(null);
    await c.stop();
    await sub.endAsync();
  }
  assert.deepEqual(got.sort(), Array.from({ length: 10 }, (_, i) => [`back/${i}`, `p${i}`]).sort());
});
