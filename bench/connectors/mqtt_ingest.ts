// MQTT ingest: messages/s from an MQTT QoS 1 publish to the record acknowledged in an Eddy topic
// (mqtt-source: subscribe QoS 1, produce, PUBACK upstream after the produce was acknowledged),
// against Mosquitto's own publish-to-subscriber rate at QoS 1 (an mqtt.js subscriber acking at
// once). Same Mosquitto, same publisher, same messages; the Eddy broker runs as its own process
// like Mosquitto, the connector in this process like the reference subscriber. `npm run
// bench:peers` measures the same figure (bench/connectors/mqtt_ingest_run.ts) next to the others.
//
//   npx node bench/connectors/mqtt_ingest.ts [--messages N] [--size BYTES] [--window N]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { spawnBroker } from '../../packages/broker/test/support/launcher.ts';
import { brokerLaunch } from '../../packages/cli/src/cluster/local_cluster.ts';
import { startMosquitto } from '../../packages/connector-mqtt/test/support/mqtt_brokers.ts';
import { MOSQUITTO_INGEST_CONFIG, mosquittoQos1Rate, mqttSourceRate, sensorPayloads, type MqttIngestSpec } from './mqtt_ingest_run.ts';

const { values } = parseArgs({
  options: {
    messages: { type: 'string', default: '100000' },
    size: { type: 'string', default: '100' },
    window: { type: 'string', default: '1024' },
  },
});
const spec: MqttIngestSpec = { messages: Number(values.messages), size: Number(values.size), window: Number(values.window) };

async function mosquittoRate(data: Buffer[]): Promise<number> {
  const broker = await startMosquitto([...MOSQUITTO_INGEST_CONFIG]);
  try {
    return await mosquittoQos1Rate(broker.url, spec, data);
  } finally {
    await broker.close();
  }
}

async function eddyRate(data: Buffer[]): Promise<number> {
  const broker = await startMosquitto([...MOSQUITTO_INGEST_CONFIG]);
  const dataDir = mkdtempSync(join(tmpdir(), 'eddy-bench-mqtt-'));
  const eddy = await spawnBroker({ entry: brokerLaunch().args, dataDir });
  try {
    return await mqttSourceRate(broker.url, eddy.endpoint, 'mqtt-ingest', spec, data);
  } finally {
    await eddy.stop();
    await broker.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const data = sensorPayloads(spec.size);
const reference = await mosquittoRate(data);
const ingest = await eddyRate(data);
const ratio = ingest / reference;
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
console.log(`MQTT QoS 1, ${fmt(spec.messages)} messages of ~${spec.size} B, publish window ${spec.window}`);
console.log(`Mosquitto publish → subscriber:            ${fmt(reference)} msg/s`);
console.log(`mqtt-source publish → acked in Eddy topic: ${fmt(ingest)} msg/s`);
console.log(`ratio: ${(ratio * 100).toFixed(1)}% (target ≥ 80%)`);
