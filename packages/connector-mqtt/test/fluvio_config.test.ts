// Fluvio's published mqtt-source example config (its connector README: meta with `version: latest`
// and `create-topic`, an `mqtt` section with url, topic, client_id, `timeout: {secs, nanos}` and
// `payload_output_type: json`) runs as it is; only the broker address points at a local Mosquitto.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import mqtt from 'mqtt';
import { runConnector, type RunningConnector } from '@eddy/connector';
import { launchBroker, type LaunchedBroker } from '../../broker/test/support/launcher.ts';
import { mqttSource } from '../src/mod.ts';
import { startMosquitto, type MqttBroker } from './support/mqtt_brokers.ts';
import { readTopic, until } from '../../connector/test/eddy_topics.ts';

let eddy: LaunchedBroker;
let mosquitto: MqttBroker;
let dir: string;
before(async () => {
  [eddy, mosquitto] = await Promise.all([launchBroker(), startMosquitto()]);
  dir = mkdtempSync(join(tmpdir(), 'eddy-mqtt-fluvio-'));
});
after(async () => {
  await Promise.all([eddy.close(), mosquitto.close()]);
  rmSync(dir, { recursive: true, force: true });
});

/** The shape published by Fluvio (written here from its documented fields), with our broker's URL. */
const fluvioConfig = (url: string): string => `meta:
  version: latest
  name: my-mqtt-connector
  type: mqtt-source
  topic: mqtt-topic
  create-topic: true
mqtt:
  url: "${url}/"
  topic: "mqtt-to-fluvio"
  client_id: "my_mqtt"
  timeout:
    secs: 30
    nanos: 0
  payload_output_type: json
`;

test("Fluvio's mqtt-source example config runs unmodified: {mqtt_topic, payload} records", async () => {
  const cfg = join(dir, 'config-example.yaml');
  writeFileSync(cfg, fluvioConfig(mosquitto.url));
  let running: RunningConnector | null = null;
  const errors: string[] = [];
  const exit = runConnector(mqttSource, ['node', 'mqtt-source', '--config', cfg, '--endpoint', eddy.endpoint, '--metrics-port', '-1', '--log-level', 'silent'], {
    exit: false, stderr: (t) => errors.push(t), onStarted: (c) => { running = c; },
  });
  await until(() => running !== null || errors.length > 0, 10_000, 'started');
  assert.deepEqual(errors, []);
  const pub = await mqtt.connectAsync(mosquitto.url);
  const msg = JSON.stringify({ device: { device_id: 1, name: 'device1' } });
  // The subscription is made right after start: publish until one arrives.
  await until(async () => {
    await pub.publishAsync('mqtt-to-fluvio', msg, { qos: 0 });
    return running!.metrics.out > 0;
  }, 10_000, 'a record');
  await pub.endAsync();
  const [r] = await readTopic(eddy.endpoint, 'mqtt-topic', 1);
  assert.deepEqual(JSON.parse(r.value), { mqtt_topic: 'mqtt-to-fluvio', payload: { device: { device_id: 1, name: 'device1' } } });
  assert.equal(r.key, 'mqtt-to-fluvio');
  await running!.stop();
  assert.equal(await exit, 0);
});
