// NATS JetStream: nats-server from Debian with -js, nats.js client. Produce = js.publish with a
// window of acks outstanding per connection; consume = an ordered consumer (pull, from the first
// message); e2e = ordered consumer from new messages. One stream per run, file storage.
// Durability: JetStream file storage with the server's default sync (fsync every 2 minutes);
// fsync before every ack needs `sync_interval: always`, which exists from nats-server 2.10 on.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect, DeliverPolicy, StorageType, type NatsConnection } from 'nats';
import { LatencyRecorder, throughput, paced, windowed, ageMs, stampedValue } from '@eddy/cli/internal';
import { freePort, startProcess } from '../support/processes.ts';
import { requireBinary, versionOf, which } from '../support/binaries.ts';
import { Unavailable, type ConsumeSpec, type Durability, type E2eResult, type E2eSpec, type PeerServer, type PeerSystem, type ProduceSpec, type RunContext } from '../support/peer.ts';

/** Publishes awaiting their PubAck per connection. */
const PUBLISH_WINDOW = 1024;

function serverVersion(bin: string): [number, number] {
  const m = /v?(\d+)\.(\d+)/.exec(versionOf(bin, ['--version']));
  return m ? [Number(m[1]), Number(m[2])] : [0, 0];
}

export const nats: PeerSystem = {
  name: 'NATS JetStream',
  short: 'NATS',
  async version() {
    const bin = which('nats-server');
    return bin ? versionOf(bin, ['--version']) : 'not installed';
  },
  async start(durability: Durability, ctx: RunContext): Promise<PeerServer> {
    const bin = requireBinary('nats-server', 'nats-server', ctx.install, ctx.log);
    const [major, minor] = serverVersion(bin);
    const syncAlways = major > 2 || (major === 2 && minor >= 10);
    if (durability === 'fsync' && !syncAlways) {
      throw new Unavailable(`nats-server ${major}.${minor} has no 'sync_interval: always' (needs >= 2.10)`);
    }
    const port = await freePort();
    const conf = join(ctx.dataDir, 'nats.conf');
    writeFileSync(conf, [
      `listen: 127.0.0.1:${port}`,
      'max_payload: 8MB',
      `jetstream { store_dir: ${JSON.stringify(join(ctx.dataDir, 'js'))}${durability === 'fsync' ? ', sync_interval: always' : ''} }`,
    ].join('\n') + '\n');
    const { started } = await startProcess(`nats-server (${durability})`, bin, ['-c', conf], { ready: /Server is ready/ });
    const conns: NatsConnection[] = [];
    const open = async (): Promise<NatsConnection> => {
      const nc = await connect({ servers: `127.0.0.1:${port}` });
      conns.push(nc);
      return nc;
    };
    const admin = await open();
    const jsm = await admin.jetstreamManager();
    const createStream = async (name: string): Promise<void> => {
      await jsm.streams.add({ name, subjects: [`${name}.>`], storage: StorageType.File });
    };
    return {
      pid: started.pid,
      durability: durability === 'fsync' ? 'fsync before ack (sync_interval always)' : 'JetStream file store, default sync (fsync every 2 min)',
      async produce(spec: ProduceSpec) {
        await createStream(spec.stream);
        const producers = await Promise.all(Array.from({ length: spec.producers }, () => open()));
        const subject = `${spec.stream}.data`;
        const per = Math.ceil(spec.records / spec.producers);
        const start = performance.now();
        await Promise.all(producers.map((nc, p) => {
          const js = nc.jetstream();
          const n = Math.min(per, spec.records - p * per);
          return windowed(n, PUBLISH_WINDOW, (i) => js.publish(subject, spec.values[i % spec.values.length]));
        }));
        const seconds = (performance.now() - start) / 1000;
        await Promise.all(producers.map((nc) => nc.close()));
        return throughput(spec.records, spec.records * spec.recordSize, seconds);
      },
      async consume(spec: ConsumeSpec) {
        const nc = await open();
        const js = nc.jetstream();
        const consumer = await js.consumers.get(spec.stream);
        const start = performance.now();
        const messages = await consumer.consume({ max_messages: 10_000 });
        let count = 0;
        let bytes = 0;
        for await (const m of messages) {
          bytes += m.data.length;
          if (++count >= spec.records) break;
        }
        const seconds = (performance.now() - start) / 1000;
        await messages.close();
        return throughput(count, bytes, seconds);
      },
      async e2e(spec: E2eSpec): Promise<E2eResult> {
        await createStream(spec.stream);
        const pubConn = await open();
        const subConn = await open();
        const js = pubConn.jetstream();
        const consumer = await subConn.jetstream().consumers.get(spec.stream, { deliver_policy: DeliverPolicy.New });
        const messages = await consumer.consume({ max_messages: 1000 });
        const latency = new LatencyRecorder('send to receive');
        let received = 0;
        const reading = (async () => {
          for await (const m of messages) {
            latency.recordNs(ageMs(m.data) * 1e6);
            if (++received >= spec.records) break;
          }
        })();
        await new Promise((r) => setTimeout(r, 100)); // the ordered consumer's first pull
        const subject = `${spec.stream}.data`;
        const start = performance.now();
        const acks: Promise<unknown>[] = [];
        await paced(spec.records, spec.rate, (i) => {
          acks.push(js.publish(subject, stampedValue(spec.recordSize, spec.values[i % spec.values.length])));
        });
        await Promise.all(acks);
        await reading;
        await messages.close();
        const seconds = (performance.now() - start) / 1000;
        return { ...throughput(received, received * spec.recordSize, seconds), latency: latency.summary()! };
      },
      async stop() {
        await Promise.allSettled(conns.map((nc) => nc.close()));
        await started.stop();
      },
    };
  },
};
