// Azure IoT Operations' shape, end to end: sensor readings published on MQTT → mqtt-source →
// topic `sensors` → the complex example graph → topic `summaries` → mqtt-sink → an MQTT
// subscriber receives the windowed summaries, one per closed 10-second window per partition.
// Nothing here depends on how the operators compute a summary: only that one arrives per
// window and partition, as JSON with its window fields.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import mqtt from 'mqtt';
import { Eddy, partitionForKey } from '@eddy/client';
import { startConnector, type RunningConnector } from '@eddy/connector';
import { mqttSink, mqttSource } from '@eddy/connector-mqtt';
import { launchBroker, type LaunchedBroker } from '../../packages/broker/test/support/launcher.ts';
import { startMosquitto, type MqttBroker } from '../../packages/connector-mqtt/test/support/mqtt_brokers.ts';
import { eventLog } from '../../packages/connector-mqtt/test/support/log_events.ts';
import { GRAPHS_DIR, moduleNames, moduleWasm } from '../graphs/build.ts';

const PARTITIONS = 3;
const WINDOW_MS = 10_000;
const here = new URL('.', import.meta.url).pathname;

interface Reading { sensor_id: string; time: string; [k: string]: unknown }

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

test('MQTT → mqtt-source → complex graph → mqtt-sink → MQTT: one JSON summary per closed window per partition', { timeout: 240_000 }, async () => {
  const readings = readFileSync(join(GRAPHS_DIR, 'data', 'sensors.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Reading);
  const mqttTopic = (r: Reading): string => `factory/sensors/${r.sensor_id}`;
  const partitionOf = (r: Reading): number => partitionForKey(Buffer.from(mqttTopic(r)), PARTITIONS);
  // Expected: for each partition, the windows its readings fall in (window [k·w, (k+1)·w) ends at (k+1)·w).
  const expected = new Map<number, Set<number>>();
  for (const r of readings) {
    const p = partitionOf(r);
    if (!expected.has(p)) expected.set(p, new Set());
    expected.get(p)!.add(Math.floor(Date.parse(r.time) / WINDOW_MS) * WINDOW_MS + WINDOW_MS);
  }
  assert.ok(expected.size >= 2, 'the sensors spread over several partitions');
  // One closing reading per sensor, a minute past the data, moves every partition's frontier past its last window.
  const last = Math.max(...readings.map((r) => Date.parse(r.time)));
  const sensors = [...new Map(readings.map((r) => [r.sensor_id, r])).values()];
  const closing = sensors.map((r) => ({ ...r, time: new Date(last + 60_000).toISOString() }));

  const client = await Eddy.connect({ endpoint: eddy.endpoint });
  const connectors: RunningConnector[] = [];
  const sub = await mqtt.connectAsync(mosquitto.url, { protocolVersion: 5 });
  try {
    const admin = client.admin();
    await admin.createTopic('sensors', { partitions: PARTITIONS });
    await admin.createTopic('summaries', { partitions: PARTITIONS });
    for (const name of moduleNames()) await admin.createSmartModule(name, await moduleWasm(name), { version: '1.0.0' });
    await admin.applyGraph({
      name: 'graph-complex', definition: readFileSync(join(GRAPHS_DIR, 'graph-complex.yaml'), 'utf8'),
      sources: ['sensors'], sink: 'summaries', state: { factory: 'north' }, allowedLatenessMs: 2000,
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
      await pub.publishAsync(mqttTopic(r), JSON.stringify(r), { qos: 1, properties: { contentType: 'application/json' } });
    }
    await pub.endAsync();

    const total = [...expected.values()].reduce((n, s) => n + s.size, 0);
    const deadline = Date.now() + 120_000;
    while ([...got.values()].reduce((n, l) => n + l.length, 0) < total && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 1000)); // a duplicate or an extra summary would show up now

    for (const [p, windows] of expected) {
      const docs = (got.get(p) ?? []).map((t) => JSON.parse(t) as Record<string, unknown>);
      for (const d of docs) {
        assert.equal(typeof d.window_end, 'string', `partition ${p}: summary has window_end: ${JSON.stringify(d)}`);
        assert.ok('temperature' in d || 'humidity' in d, `partition ${p}: summary has a temperature or humidity part: ${JSON.stringify(d)}`);
      }
      const ends = docs.map((d) => Date.parse(d.window_end as string)).sort((a, b) => a - b);
      assert.deepEqual(ends.map((t) => new Date(t).toISOString()), [...windows].sort((a, b) => a - b).map((t) => new Date(t).toISOString()), `partition ${p}: one summary per closed window`);
    }
    assert.deepEqual([...got.keys()].filter((p) => !expected.has(p)), [], 'no summaries on partitions without readings');
  } finally {
    for (const c of connectors) await c.stop();
    await sub.endAsync();
    await client.close();
  }
});
