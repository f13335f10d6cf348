// Azure IoT Operations' shape, end to end: sensor readings published on MQTT → mqtt-source →
// topic `sensors` → Azure's complex graph (examples/graphs/azure/graph-complex.yaml, unmodified) →
// topic `summaries` → mqtt-sink → an MQTT subscriber receives the windowed summaries. They must be
// exactly what the same graph gives when run in-process on the same readings (`eddy graph test`'s
// engine), per partition and in order: nothing lost, nothing twice.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import mqtt from 'mqtt';
import { Eddy, partitionForKey } from '@eddy/client';
import { startConnector, type RunningConnector } from '@eddy/connector';
import { mqttSink, mqttSource } from '@eddy/connector-mqtt';
import { runGraphTest, type TestMessage } from '@eddy/dataflow';
import { launchBroker, type LaunchedBroker } from '../../packages/broker/test/support/launcher.ts';
import { startMosquitto, type MqttBroker } from '../../packages/connector-mqtt/test/support/mqtt_brokers.ts';
import { eventLog } from '../../packages/connector-mqtt/test/support/log_events.ts';
import { GRAPHS_DIR, moduleNames, moduleWasm } from '../graphs/build.ts';
import { sensorReadings, type Reading } from '../graphs/azure_readings.ts';

const PARTITIONS = 3;
const LATENESS_MS = 2000;
const STATE = { factory: 'north', line: '3' };
const here = new URL('.', import.meta.url).pathname;

let eddy: LaunchedBroker;
let mosquitto: MqttBroker;
before(async () => {
  [eddy, mosquitto] = await Promise.all([launchBroker(), startMosquitto()]);
});
after(async () => {
  await Promise.all([eddy.close(), mosquitto.close()]);
});

/** The example configs with this test's broker addresses. */
const config = (file: string): string => readFileSync(join(here, file), 'utf8').replaceAll('mqtt://127.0.0.1:1883', mosquitto.url);

test('MQTT → mqtt-source → Azure complex graph → mqtt-sink → MQTT: the summaries the graph gives in-process, each once', { timeout: 240_000 }, async () => {
  const readings = sensorReadings();
  const mqttTopic = (r: Reading): string => `factory/sensors/${r.sensor_id}`;
  const partitionOf = (r: Reading): number => partitionForKey(Buffer.from(mqttTopic(r)), PARTITIONS);
  const definition = readFileSync(join(GRAPHS_DIR, 'azure', 'graph-complex.yaml'), 'utf8');
  const modules = new Map<string, Uint8Array>();
  for (const name of moduleNames()) modules.set(`${name}:1.0.0`, await moduleWasm(name));
  // One closing reading per sensor, a minute past the data, moves every partition's frontier past its last window.
  const last = Math.max(...readings.map((r) => Date.parse(r.time)));
  const sensors = [...new Map(readings.map((r) => [r.sensor_id, r])).values()];
  const closing = sensors.map((r) => ({ ...r, time: new Date(last + 60_000).toISOString() }));
  // Expected: the graph run in-process on the same readings, one instance per partition; the
  // closing readings only move the frontier.
  // A sensor publishes its reading in Azure's payload shape (exactly one reading per message) with
  // its event time in an MQTT 5 user property, which the source's timestamp_field reads.
  const asTest = (r: Reading): TestMessage => ({ timestamp: r.time, payload: r.payload, contentType: 'application/json', topic: 'sensors', partition: partitionOf(r) });
  // (The in-process run ends by closing every window; deployed, the closing readings' windows stay open.)
  const outputs = runGraphTest({ definition, modules, input: [...readings, ...closing].map(asTest), state: STATE, allowedLatenessMs: LATENESS_MS })
    .outputs.filter((o) => Date.parse(o.timestamp) <= last + 10_000);
  const expected = new Map<number, string[]>();
  for (const o of outputs) expected.set(o.partition, [...(expected.get(o.partition) ?? []), JSON.stringify(o.payload)]);
  assert.ok(expected.size >= 2 && outputs.length >= 6, `the readings give summaries on several partitions (${outputs.length})`);

  const client = await Eddy.connect({ endpoint: eddy.endpoint });
  const connectors: RunningConnector[] = [];
  const sub = await mqtt.connectAsync(mosquitto.url, { protocolVersion: 5 });
  try {
    const admin = client.admin();
    await admin.createTopic('sensors', { partitions: PARTITIONS });
    await admin.createTopic('summaries', { partitions: PARTITIONS });
    for (const name of moduleNames()) await admin.createSmartModule(name, await moduleWasm(name), { version: '1.0.0' });
    await admin.applyGraph({
      name: 'graph-complex', definition, sources: ['sensors'], sink: 'summaries', state: STATE, allowedLatenessMs: LATENESS_MS,
    });

    const got = new Map<number, string[]>();
    sub.on('message', (topic, payload) => {
      const p = Number(topic.split('/').pop());
      const l = got.get(p) ?? [];
      l.push(payload.toString());
      got.set(p, l);
    });
    await sub.subscribeAsync('factory/summaries/+', { qos: 1 });

    const sourceLog = eventLog();
    connectors.push(await startConnector(mqttSource, { configText: config('mqtt-source.yaml'), endpoint: eddy.endpoint, logger: sourceLog.logger, metricsPort: -1 }));
    connectors.push(await startConnector(mqttSink, { configText: config('mqtt-sink.yaml'), endpoint: eddy.endpoint, logger: eventLog().logger, metricsPort: -1 }));
    await sourceLog.waitFor('subscribed');

    // The sensors: each publishes its readings on its own MQTT topic (MQTT 5, QoS 1, JSON).
    const pub = await mqtt.connectAsync(mosquitto.url, { protocolVersion: 5 });
    for (const r of [...readings, ...closing]) {
      await pub.publishAsync(mqttTopic(r), JSON.stringify(r.payload), { qos: 1, properties: { contentType: 'application/json', userProperties: { time: r.time } } });
    }
    await pub.endAsync();

    const total = outputs.length;
    const deadline = Date.now() + 120_000;
    while ([...got.values()].reduce((n, l) => n + l.length, 0) < total && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 1000)); // a duplicate or an extra summary would show up now

    const asValues = (list: readonly string[]) => list.map((t) => JSON.parse(t) as unknown);
    for (const p of new Set([...expected.keys(), ...got.keys()])) {
      assert.deepEqual(asValues(got.get(p) ?? []), asValues(expected.get(p) ?? []), `partition ${p}: the summaries of the in-process run, in order, each once`);
    }
  } finally {
    for (const c of connectors) await c.stop();
    await sub.endAsync();
    await client.close();
  }
});
