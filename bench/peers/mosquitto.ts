// Mosquitto (MQTT 3.1.1, QoS 1): mosquitto from Debian, mqtt.js client. Produce = QoS 1 publishes
// with a window of PUBACKs outstanding per connection. An MQTT broker keeps no log: with nobody
// subscribed a message is acknowledged and dropped, and there is nothing to replay, so the consume
// figure is not available and the produce figure measures acceptance, not storage. There is no
// fsync-before-ack mode (persistence is a periodic snapshot), so the fsync row is not available.
// MQTT ingest: Mosquitto's own QoS 1 publish-to-subscriber rate, the baseline of mqtt-source.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { LatencyRecorder, throughput, paced, windowed, ageMs, stampedValue } from '@eddy/cli/internal';
import { freePort, startProcess, type Started } from '../support/processes.ts';
import { requireBinary, versionOf, which } from '../support/binaries.ts';
import { Unavailable, type Durability, type E2eResult, type E2eSpec, type MqttIngestRunSpec, type PeerServer, type PeerSystem, type ProduceSpec, type RunContext } from '../support/peer.ts';
import { MOSQUITTO_INGEST_CONFIG, mosquittoQos1Rate, sensorPayloads } from '../connectors/mqtt_ingest_run.ts';
import { MOSQUITTO } from '../workloads.ts';

export const PUBLISH_WINDOW = 1024;

export interface MosquittoServer {
  readonly url: string;
  readonly started: Started;
}

/** Mosquitto on 127.0.0.1 and a free port, config in ctx.dataDir, persistence off, no inflight cap. */
export async function startMosquittoServer(name: string, ctx: RunContext): Promise<MosquittoServer> {
  const bin = requireBinary('mosquitto', 'mosquitto', ctx.install, ctx.log);
  const port = await freePort();
  const conf = join(ctx.dataDir, 'mosquitto.conf');
  writeFileSync(conf, [
    `listener ${port} 127.0.0.1`,
    'allow_anonymous true',
    'persistence false',
    'log_dest stderr',
    'log_type error',
    'log_type warning',
    'log_type notice',
    'log_type information',
    ...MOSQUITTO_INGEST_CONFIG,
  ].join('\n') + '\n');
  const { started } = await startProcess(name, bin, ['-c', conf], { ready: /running|Opening ipv4 listen socket/ });
  return { url: `mqtt://127.0.0.1:${port}`, started };
}

export const mosquitto: PeerSystem = {
  name: MOSQUITTO,
  short: 'Mosquitto',
  async version() {
    const bin = which('mosquitto');
    // `mosquitto -h` prints "mosquitto version X" first and exits non-zero.
    return bin ? versionOf(bin, ['-h']) : 'not installed';
  },
  async start(durability: Durability, ctx: RunContext): Promise<PeerServer> {
    if (durability === 'fsync') throw new Unavailable('no fsync-before-ack mode (persistence is a periodic snapshot)');
    const { url, started } = await startMosquittoServer('mosquitto', ctx);
    const clients: MqttClient[] = [];
    const open = async (): Promise<MqttClient> => {
      const c = await mqtt.connectAsync(url, { protocolVersion: 4, clean: true, reconnectPeriod: 0 });
      clients.push(c);
      return c;
    };
    return {
      pid: started.pid,
      durability: 'QoS 1, PUBACK from memory, no log (persistence off)',
      async produce(spec: ProduceSpec) {
        const producers = await Promise.all(Array.from({ length: spec.producers }, () => open()));
        const per = Math.ceil(spec.records / spec.producers);
        const start = performance.now();
        await Promise.all(producers.map((c, p) => {
          const n = Math.min(per, spec.records - p * per);
          return windowed(n, PUBLISH_WINDOW, (i) => c.publishAsync(spec.stream, spec.values[i % spec.values.length], { qos: 1 }));
        }));
        const seconds = (performance.now() - start) / 1000;
        await Promise.all(producers.map((c) => c.endAsync()));
        return throughput(spec.records, spec.records * spec.recordSize, seconds);
      },
      async consume() {
        throw new Unavailable('no log to replay (MQTT delivers to current subscribers only)');
      },
      async e2e(spec: E2eSpec): Promise<E2eResult> {
        const pub = await open();
        const sub = await open();
        const latency = new LatencyRecorder('send to receive');
        let received = 0;
        let done!: () => void;
        const all = new Promise<void>((r) => { done = r; });
        sub.on('message', (_topic, payload) => {
          latency.recordNs(ageMs(payload) * 1e6);
          if (++received === spec.records) done();
        });
        await sub.subscribeAsync(spec.stream, { qos: 1 });
        const start = performance.now();
        const acks: Promise<unknown>[] = [];
        await paced(spec.records, spec.rate, (i) => {
          acks.push(pub.publishAsync(spec.stream, stampedValue(spec.recordSize, spec.values[i % spec.values.length]), { qos: 1 }));
        });
        await Promise.all(acks);
        await Promise.race([all, new Promise((_, rej) => setTimeout(() => rej(new Error(`mosquitto e2e: ${received}/${spec.records} received`)), 10_000))]);
        const seconds = (performance.now() - start) / 1000;
        return { ...throughput(received, received * spec.recordSize, seconds), latency: latency.summary()! };
      },
      async mqttIngest(spec: MqttIngestRunSpec) {
        const data = sensorPayloads(spec.size);
        const run = { messages: spec.messages, size: spec.size, window: PUBLISH_WINDOW };
        if (spec.warmup > 0) await mosquittoQos1Rate(url, { ...run, messages: spec.warmup }, data);
        const perSec = await mosquittoQos1Rate(url, run, data);
        return { perSec, detail: { messages: spec.messages, size: spec.size, window: PUBLISH_WINDOW, path: 'publish -> Mosquitto -> QoS 1 subscriber (mqtt.js)' } };
      },
      async stop() {
        await Promise.allSettled(clients.map((c) => c.endAsync(true)));
        await started.stop();
      },
    };
  },
};
