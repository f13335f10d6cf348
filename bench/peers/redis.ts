// Redis Streams: redis-server from Debian, node-redis client. Produce = XADD in explicit pipelines
// of 1000 commands, 4 pipelines outstanding per connection. Consume = XREAD COUNT n from the start. Durability via the append-only file:
// 'os' = appendfsync no (the AOF is written to the OS before replies go out), 'fsync' =
// appendfsync always (fsync of the AOF before replies: Redis's own group commit per event loop).
import { spawnSync } from 'node:child_process';
import { createClient, RESP_TYPES } from 'redis';
import { LatencyRecorder, throughput, paced, windowed, ageMs, stampedValue } from '@eddy/cli/internal';
import { freePort, startProcess } from '../support/processes.ts';
import { requireBinary, versionOf, which } from '../support/binaries.ts';
import { Unavailable, type ConsumeSpec, type Durability, type E2eResult, type E2eSpec, type PeerServer, type PeerSystem, type ProduceSpec, type RunContext } from '../support/peer.ts';

/** XADDs per explicit pipeline (one socket write, one reply read), and pipelines in flight per connection. */
const PIPELINE_DEPTH = 1000;
const PIPELINES_IN_FLIGHT = 4;
const READ_COUNT = 10_000;

function makeClient(port: number) {
  return createClient({ socket: { host: '127.0.0.1', port } });
}
type Client = ReturnType<typeof makeClient>;

async function connect(port: number): Promise<Client> {
  const c = makeClient(port);
  c.on('error', () => { /* surfaced by the failing command */ });
  await c.connect();
  return c;
}

type Entry = [id: Buffer, fields: Buffer[]];

/** The entries of the one stream in an XREAD reply (RESP3: a map by stream name; RESP2: pairs). */
function streamEntries(reply: unknown): Entry[] {
  if (reply === null || reply === undefined) return [];
  if (Array.isArray(reply)) return (reply[0]?.[1] ?? []) as Entry[];
  if (reply instanceof Map) return ([...reply.values()][0] ?? []) as Entry[];
  return (Object.values(reply as object)[0] ?? []) as Entry[];
}

const ports = new WeakMap<PeerServer, number>();
function serverPort(s: PeerServer): number {
  const p = ports.get(s);
  if (p === undefined) throw new Error('not a Redis server of this module');
  return p;
}

const BUFFERS = { [RESP_TYPES.BLOB_STRING]: Buffer } as const;

export const redis: PeerSystem = {
  name: 'Redis Streams',
  short: 'Redis',
  async version() {
    const bin = which('redis-server');
    return bin ? versionOf(bin, ['--version']).replace(/^Redis server v=(\S+).*/, 'redis-server $1') : 'not installed';
  },
  async start(durability: Durability, ctx: RunContext): Promise<PeerServer> {
    const bin = requireBinary('redis-server', 'redis-server', ctx.install, ctx.log);
    const port = await freePort();
    const { started } = await startProcess(`redis-server (${durability})`, bin, [
      '--port', String(port), '--bind', '127.0.0.1', '--dir', ctx.dataDir, '--save', '',
      '--appendonly', 'yes', '--appendfsync', durability === 'fsync' ? 'always' : 'no',
      '--protected-mode', 'no', '--daemonize', 'no', '--logfile', '',
    ], { ready: /Ready to accept connections/ });
    const clients: Client[] = [];
    const client = async (): Promise<Client> => {
      const c = await connect(port);
      clients.push(c);
      return c;
    };
    const admin = await client();
    const server: PeerServer = {
      pid: started.pid,
      durability: durability === 'fsync' ? 'fsync before ack (AOF appendfsync always)' : 'ack after write to OS (AOF appendfsync no)',
      async produce(spec: ProduceSpec) {
        const conns = await Promise.all(Array.from({ length: spec.producers }, () => client()));
        const per = Math.ceil(spec.records / spec.producers);
        const start = performance.now();
        await Promise.all(conns.map((c, p) => {
          const n = Math.min(per, spec.records - p * per);
          // Explicit pipelines beat one promise per command by ~1.5x with node-redis.
          const chunks = Math.ceil(n / PIPELINE_DEPTH);
          return windowed(chunks, PIPELINES_IN_FLIGHT, (k) => {
            const m = c.multi();
            const end = Math.min(n, (k + 1) * PIPELINE_DEPTH);
            for (let i = k * PIPELINE_DEPTH; i < end; i++) m.addCommand(['XADD', spec.stream, '*', 'v', spec.values[i % spec.values.length]]);
            return m.execAsPipeline();
          });
        }));
        const seconds = (performance.now() - start) / 1000;
        await Promise.all(conns.map((c) => c.quit()));
        conns.forEach((c) => clients.splice(clients.indexOf(c), 1));
        return throughput(spec.records, spec.records * spec.recordSize, seconds);
      },
      async consume(spec: ConsumeSpec) {
        const c = (await client()).withTypeMapping(BUFFERS);
        let last = '0-0';
        let count = 0;
        let bytes = 0;
        const start = performance.now();
        while (count < spec.records) {
          const entries = streamEntries(await c.sendCommand(['XREAD', 'COUNT', String(READ_COUNT), 'STREAMS', spec.stream, last]));
          if (entries.length === 0) break;
          for (const [, fields] of entries) {
            bytes += fields[1].length;
          }
          count += entries.length;
          last = entries[entries.length - 1][0].toString();
        }
        return throughput(count, bytes, (performance.now() - start) / 1000);
      },
      async e2e(spec: E2eSpec): Promise<E2eResult> {
        const producer = await client();
        const reader = (await client()).withTypeMapping(BUFFERS);
        const latency = new LatencyRecorder('send to receive');
        let received = 0;
        const reading = (async () => {
          let last = '$';
          while (received < spec.records) {
            const entries = streamEntries(await reader.sendCommand(['XREAD', 'BLOCK', '5000', 'COUNT', '1000', 'STREAMS', spec.stream, last]));
            if (entries.length === 0) throw new Error('redis e2e: no records for 5 s');
            for (const [, fields] of entries) latency.recordNs(ageMs(fields[1]) * 1e6);
            received += entries.length;
            last = entries[entries.length - 1][0].toString();
          }
        })();
        await new Promise((r) => setTimeout(r, 50)); // let XREAD BLOCK reach the server before the first XADD
        const start = performance.now();
        await paced(spec.records, spec.rate, (i) => {
          void producer.sendCommand(['XADD', spec.stream, '*', 'v', stampedValue(spec.recordSize, spec.values[i % spec.values.length])]);
        });
        await reading;
        const seconds = (performance.now() - start) / 1000;
        return { ...throughput(received, received * spec.recordSize, seconds), latency: latency.summary()! };
      },
      async stop() {
        await Promise.allSettled(clients.map((c) => c.quit()));
        void admin;
        await started.stop();
      },
    };
    ports.set(server, port);
    return server;
  },
};

/**
 * The same Redis server driven by redis-benchmark (C, from redis-tools): XADD pipelined 1000 deep
 * per connection. It shows what the server takes when the client is not the limit; it runs the
 * produce figures only.
 */
export const redisC: PeerSystem = {
  name: 'Redis (C client)',
  short: 'Redis-C',
  only: ['produce100', 'produce5k', 'fsync16'],
  async version() {
    const bin = which('redis-benchmark');
    return bin ? `redis-benchmark, ${await redis.version()}` : 'not installed';
  },
  async start(durability: Durability, ctx: RunContext): Promise<PeerServer> {
    const bench = requireBinary('redis-benchmark', 'redis-tools', ctx.install, ctx.log);
    const server = await redis.start(durability, ctx);
    return {
      pid: server.pid,
      durability: server.durability,
      async produce(spec: ProduceSpec) {
        const value = spec.values[0].toString('latin1');
        const r = spawnSync(bench, [
          '-h', '127.0.0.1', '-p', String(serverPort(server)), '-n', String(spec.records), '-c', String(spec.producers),
          '-P', String(PIPELINE_DEPTH), '--csv', 'XADD', spec.stream, '*', 'v', value,
        ], { encoding: 'utf8', timeout: 600_000, maxBuffer: 64 * 1024 * 1024 });
        // --csv: a header line, then "XADD ...","<rps>",...
        const m = /^"[^"]*","([\d.]+)"/m.exec(r.stdout.split('\n').slice(1).join('\n'));
        if (r.status !== 0 || !m) throw new Error(`redis-benchmark failed: ${(r.stderr || r.stdout).slice(-300)}`);
        const rps = Number(m[1]);
        return throughput(spec.records, spec.records * spec.recordSize, spec.records / rps);
      },
      async consume() {
        throw new Unavailable('redis-benchmark runs commands, not stream reads');
      },
      async e2e() {
        throw new Unavailable('redis-benchmark runs commands, not stream reads');
      },
      stop: () => server.stop(),
    };
  },
};
