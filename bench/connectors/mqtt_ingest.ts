// MQTT ingest: messages/s from an MQTT QoS 1 publish to the record acknowledged in an Eddy topic
// (mqtt-source: subscribe QoS 1, produce, PUBACK upstream after the produce was acknowledged),
// against Mosquitto's own publish-to-subscriber rate at QoS 1 (an mqtt.js subscriber acking at
// once). Same Mosquitto, same publisher, same messages; the Eddy broker runs as its own process
// like Mosquitto, the connector in this process like the reference subscriber.
//
//   npx node bench/connectors/mqtt_ingest.ts [--messages N] [--size BYTES] [--window N]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import mqtt, { type MqttClient } from 'mqtt';
import { pino } from 'pino';
import { startConnector } from '@eddy/connector';
import { mqttSource } from '@eddy/connector-mqtt';
import { spawnBroker } from '../../packages/broker/test/support/launcher.ts';
import { brokerLaunch } from '../../packages/cli/src/cluster/local_cluster.ts';
import { startMosquitto } from '../../packages/connector-mqtt/test/support/mqtt_brokers.ts';

const { values } = parseArgs({
  options: {
    messages: { type: 'string', default: '100000' },
    size: { type: 'string', default: '100' },
    window: { type: 'string', default: '1024' },
  },
});
const N = Number(values.messages);
const SIZE = Number(values.size);
const WINDOW = Number(values.window);

/** A JSON reading padded to about SIZE bytes (the payloads sensors send). */
function payloads(): Buffer[] {
  return Array.from({ length: 64 }, (_, i) => {
    const base = { sensor_id: `s-${i}`, value: 20 + i / 10, time: new Date(1_735_718_400_000 + i).toISOString(), pad: '' };
    base.pad = 'x'.repeat(Math.max(0, SIZE - JSON.stringify(base).length));
    return Buffer.from(JSON.stringify(base));
  });
}

/** Publishes N QoS 1 messages with up to WINDOW PUBACKs outstanding. */
async function publish(pub: MqttClient, topicOf: (i: number) => string, data: Buffer[]): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < N) {
      const i = next++;
      await pub.publishAsync(topicOf(i), data[i % data.length], { qos: 1 });
    }
  };
  await Promise.all(Array.from({ length: WINDOW }, lane));
}

const mosquittoConfig = ['max_inflight_messages 0', 'max_queued_messages 0'];

async function mosquittoRate(data: Buffer[]): Promise<number> {
  const broker = await startMosquitto(mosquittoConfig);
  try {
    const sub = await mqtt.connectAsync(broker.url, { protocolVersion: 4, clean: true });
    await sub.subscribeAsync('bench/#', { qos: 1 });
    let got = 0;
    let end = 0;
    const all = new Promise<void>((resolve) => sub.on('message', () => { if (++got === N) { end = performance.now(); resolve(); } }));
    const pub = await mqtt.connectAsync(broker.url, { protocolVersion: 4, clean: true });
    const start = performance.now();
    await publish(pub, (i) => `bench/s${i % 64}`, data);
    await all;
    await Promise.all([pub.endAsync(), sub.endAsync()]);
    return N / ((end - start) / 1000);
  } finally {
    await broker.close();
  }
}

async function eddyRate(data: Buffer[]): Promise<number> {
  const broker = await startMosquitto(mosquittoConfig);
  const dataDir = mkdtempSync(join(tmpdir(), 'eddy-bench-mqtt-'));
  const eddy = await spawnBroker({ entry: brokerLaunch().args, dataDir });
  try {
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (s: string) => { lines.push(s); } });
    const c = await startConnector(mqttSource, {
      configText: `meta: {name: bench, type: mqtt-source, topic: mqtt-ingest, producer: {linger: 2ms}}\nmqtt: {url: "${broker.url}", topic: "bench/#", qos: 1, payload_output_type: json}\n`,
      endpoint: eddy.endpoint, logger, metricsPort: -1,
    });
    while (!lines.some((l) => l.includes('"event":"subscribed"'))) {
      if (lines.some((l) => l.includes('"event":"failed"'))) throw new Error(lines.join(''));
      await new Promise((r) => setTimeout(r, 20));
    }
    const pub = await mqtt.connectAsync(broker.url, { protocolVersion: 4, clean: true });
    const start = performance.now();
    await publish(pub, (i) => `bench/s${i % 64}`, data);
    // Done when every record is acknowledged by the cluster (and so acknowledged upstream).
    while (c.metrics.out < N) await new Promise((r) => setTimeout(r, 1));
    const end = performance.now();
    await pub.endAsync();
    await c.stop();
    return N / ((end - start) / 1000);
  } finally {
    await eddy.stop();
    await broker.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const data = payloads();
const reference = await mosquittoRate(data);
const ingest = await eddyRate(data);
const ratio = ingest / reference;
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
console.log(`MQTT QoS 1, ${fmt(N)} messages of ~${SIZE} B, publish window ${WINDOW}`);
console.log(`Mosquitto publish → subscriber:            ${fmt(reference)} msg/s`);
console.log(`mqtt-source publish → acked in Eddy topic: ${fmt(ingest)} msg/s`);
console.log(`ratio: ${(ratio * 100).toFixed(1)}% (target ≥ 80%)`);
