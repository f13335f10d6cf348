// The two sides of the MQTT ingest figure, shared by bench/connectors/mqtt_ingest.ts (standalone)
// and bench/peers.ts: Mosquitto's own QoS 1 publish-to-subscriber rate (an mqtt.js subscriber
// acking at once), and mqtt-source's publish-to-acknowledged-in-an-Eddy-topic rate. Same
// publisher, same messages, same publish window on both sides.
import mqtt, { type MqttClient } from 'mqtt';
import { pino } from 'pino';
import { startConnector } from '@eddy/connector';
import { mqttSource } from '@eddy/connector-mqtt';
import { windowed } from '@eddy/cli/internal';

export interface MqttIngestSpec {
  messages: number;
  /** Bytes per message (about). */
  size: number;
  /** PUBACKs outstanding at the publisher. */
  window: number;
}

/** The Mosquitto settings of both sides: no inflight or queue cap, so neither side is throttled. */
export const MOSQUITTO_INGEST_CONFIG = ['max_inflight_messages 0', 'max_queued_messages 0'] as const;

const TOPICS = Array.from({ length: 64 }, (_, i) => `bench/s${i}`);

/** 64 JSON readings padded to about `size` bytes (the payloads sensors send). */
export function sensorPayloads(size: number): Buffer[] {
  return Array.from({ length: 64 }, (_, i) => {
    const base = { sensor_id: `s-${i}`, value: 20 + i / 10, time: new Date(1_735_718_400_000 + i).toISOString(), pad: '' };
    base.pad = 'x'.repeat(Math.max(0, size - JSON.stringify(base).length));
    return Buffer.from(JSON.stringify(base));
  });
}

/** Publishes the messages at QoS 1 over 64 topics, `window` PUBACKs outstanding. */
function publishAll(pub: MqttClient, spec: MqttIngestSpec, data: readonly Buffer[]): Promise<void> {
  return windowed(spec.messages, spec.window, (i) => pub.publishAsync(TOPICS[i & 63], data[i % data.length], { qos: 1 }));
}

const connect = (url: string): Promise<MqttClient> => mqtt.connectAsync(url, { protocolVersion: 4, clean: true, reconnectPeriod: 0 });

/** Messages/s from the first publish to the last message at a QoS 1 subscriber of `url`. */
export async function mosquittoQos1Rate(url: string, spec: MqttIngestSpec, data: readonly Buffer[]): Promise<number> {
  const sub = await connect(url);
  const pub = await connect(url).catch(async (err: unknown) => { await sub.endAsync(true); throw err; });
  try {
    await sub.subscribeAsync('bench/#', { qos: 1 });
    let got = 0;
    let end = 0;
    const all = new Promise<void>((resolve) => sub.on('message', () => { if (++got === spec.messages) { end = performance.now(); resolve(); } }));
    const start = performance.now();
    await publishAll(pub, spec, data);
    await withTimeout(all, 30_000, () => `mosquitto: ${got}/${spec.messages} messages at the subscriber`);
    return spec.messages / ((end - start) / 1000);
  } finally {
    await Promise.allSettled([pub.endAsync(), sub.endAsync()]);
  }
}

/**
 * Messages/s from the first publish to `url` until mqtt-source (in this process) has every message
 * acknowledged by the Eddy cluster at `endpoint`, in `topic` (and so PUBACKed upstream).
 */
export async function mqttSourceRate(url: string, endpoint: string, topic: string, spec: MqttIngestSpec, data: readonly Buffer[]): Promise<number> {
  const lines: string[] = [];
  const logger = pino({ level: 'info' }, { write: (s: string) => { lines.push(s); } });
  const c = await startConnector(mqttSource, {
    configText: `meta: {name: bench-${topic}, type: mqtt-source, topic: ${topic}, producer: {linger: 2ms}}\nmqtt: {url: "${url}", topic: "bench/#", qos: 1, payload_output_type: json}\n`,
    endpoint, logger, metricsPort: -1,
  });
  let pub: MqttClient | undefined;
  try {
    const ready = Date.now() + 15_000;
    while (!lines.some((l) => l.includes('"event":"subscribed"'))) {
      if (lines.some((l) => l.includes('"event":"failed"')) || Date.now() > ready) throw new Error(`mqtt-source did not subscribe: ${lines.slice(-3).join('')}`);
      await sleep(20);
    }
    pub = await connect(url);
    const start = performance.now();
    await publishAll(pub, spec, data);
    // Done when every record is acknowledged by the cluster (the connector counts it then).
    const deadline = Date.now() + 30_000;
    while (c.metrics.out < spec.messages) {
      if (Date.now() > deadline) throw new Error(`mqtt-source: ${c.metrics.out}/${spec.messages} records acknowledged in 30 s`);
      await sleep(1);
    }
    return spec.messages / ((performance.now() - start) / 1000);
  } finally {
    await pub?.endAsync().catch(() => {});
    await c.stop();
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function withTimeout<T>(p: Promise<T>, ms: number, what: () => string): Promise<T> {
  let t: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_, reject) => { t = setTimeout(() => reject(new Error(what())), ms); })]);
  } finally {
    clearTimeout(t);
  }
}
