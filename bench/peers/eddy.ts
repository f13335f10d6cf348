// Eddy: the broker process (packages/broker/src/main.ts) on loopback, driven by the same code as
// `eddy bench` (packages/cli/src/bench). 'os' topics ack after the write to the OS; 'fsync'
// topics fdatasync before acking (group commit across concurrent producers). The connector
// figures run the connector in this process against this broker: mqtt-source from a Mosquitto
// started for it, sql-sink into a PostgreSQL started for it.
import {
  brokerLaunch, brokerMainPath, connectEddy, createTopic, type EddyClient, runProducers, runConsumer, runE2e, runSmartModule,
} from '@eddy/cli/internal';
import { mkdtempSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { startProcess } from '../support/processes.ts';
import { Unavailable, type Durability, type PeerServer, type PeerSystem, type RunContext } from '../support/peer.ts';
import { startBenchPostgres } from '../support/postgres.ts';
import { mqttSourceRate, sensorPayloads } from '../connectors/mqtt_ingest_run.ts';
import { countRows, createRowTable, plainInsert, produceRowRecords, runSqlSink } from '../connectors/sql_sink_run.ts';
import { PUBLISH_WINDOW, startMosquittoServer } from './mosquitto.ts';

const BROKER_MAIN = brokerMainPath();
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Producer settings of the side-by-side run (the `eddy bench producer` defaults). */
export const EDDY_PRODUCER = {
  batchSize: 1024 * 1024,
  lingerMs: 5,
  compression: 'none',
  maxInFlight: 16,
  maxQueueBytes: 32 * 1024 * 1024,
} as const;

export const eddy: PeerSystem = {
  name: 'Eddy',
  short: 'Eddy',
  async version() {
    try {
      const pkg = JSON.parse(readFileSync(new URL('../../packages/broker/package.json', import.meta.url), 'utf8')) as { version: string };
      return `eddy ${pkg.version} (Node ${process.version})`;
    } catch {
      return 'eddy';
    }
  },
  async start(durability: Durability, ctx: RunContext): Promise<PeerServer> {
    try {
      readFileSync(BROKER_MAIN);
    } catch {
      throw new Unavailable(`broker entry ${BROKER_MAIN} not found`);
    }
    // The broker as `eddy cluster start` runs it: compiled JS when the build is current, else sources.
    const launch = brokerLaunch();
    const { started, match } = await startProcess(`eddy broker (${durability}${launch.bundled ? ', bundled' : launch.compiled ? ', compiled' : ''})`, process.execPath, [
      ...launch.args, '--data-dir', ctx.dataDir, '--port', '0', '--metrics-port=-1', '--log-level', process.env.EDDY_LOG_LEVEL ?? 'warn',
    ], { ready: /"event"\s*:\s*"listening"[^}]*"port"\s*:\s*(\d+)/, cwd: ROOT });
    const endpoint = `127.0.0.1:${match[1]}`;
    let admin: EddyClient;
    try {
      admin = await connectEddy(endpoint);
    } catch (err) {
      await started.stop();
      throw err;
    }
    const topic = async (name: string, partitions = 1): Promise<string> => {
      await createTopic(admin, name, partitions, durability);
      return name;
    };
    return {
      pid: started.pid,
      durability: durability === 'fsync' ? 'fdatasync before ack, group commit (topic flush: fsync)' : 'ack after write to OS (topic flush: os)',
      async produce(spec) {
        const r = await runProducers({ ...EDDY_PRODUCER, endpoint, topic: await topic(spec.stream), numRecords: spec.records, recordSize: spec.recordSize, producers: spec.producers, values: spec.values });
        return r.throughput;
      },
      async consume(spec) {
        return runConsumer({ endpoint, topic: spec.stream, maxRecords: spec.records });
      },
      async e2e(spec) {
        const r = await runE2e({ ...EDDY_PRODUCER, lingerMs: 0, endpoint, topic: await topic(spec.stream), numRecords: spec.records, recordSize: spec.recordSize, rate: spec.rate, values: spec.values });
        if (!r.latency) throw new Error('e2e: no latency recorded');
        return { ...r.throughput, latency: r.latency };
      },
      async smartmodule(spec) {
        const r = await runSmartModule({ endpoint, topic: spec.stream, records: spec.records, recordSize: spec.recordSize, module: { wasm: spec.wasm } });
        return { plain: r.plain, filtered: r.filtered };
      },
      async mqttIngest(spec) {
        const upstream = await startMosquittoServer('mosquitto (upstream of mqtt-source)', { ...ctx, dataDir: mkdtempSync(join(ctx.dataDir, 'mosquitto-')) });
        try {
          const data = sensorPayloads(spec.size);
          const run = { messages: spec.messages, size: spec.size, window: PUBLISH_WINDOW };
          if (spec.warmup > 0) await mqttSourceRate(upstream.url, endpoint, `${spec.stream}-warmup`, { ...run, messages: spec.warmup }, data);
          const perSec = await mqttSourceRate(upstream.url, endpoint, spec.stream, run, data);
          return { perSec, detail: { messages: spec.messages, size: spec.size, window: PUBLISH_WINDOW, path: 'publish -> Mosquitto -> mqtt-source (QoS 1) -> acked in Eddy topic' } };
        } finally {
          await upstream.started.stop();
        }
      },
      async sqlSink(spec) {
        const pgs = await startBenchPostgres(ctx);
        const db = new pg.Client({ connectionString: pgs.url });
        try {
          await db.connect();
          const table = spec.stream.replace(/\W/g, '_');
          await createRowTable(db, `${table}_warmup`);
          await createRowTable(db, table);
          await plainInsert(db, `${table}_warmup`, spec.warmupRows, spec.batch);
          await produceRowRecords(endpoint, spec.stream, table, spec.rows);
          const r = await runSqlSink(pgs.url, endpoint, spec.stream, spec.rows);
          const n = await countRows(db, table);
          if (n !== spec.rows) throw new Error(`sql-sink wrote ${n} of ${spec.rows} rows`);
          return {
            perSec: spec.rows / (r.ms / 1000),
            detail: { rows: spec.rows, seconds: Number((r.ms / 1000).toFixed(4)), transactions: r.writes, batch: r.batch, firstWriteMs: Math.round(r.firstWriteMs), inWriteMs: Math.round(r.inWriteMs) },
          };
        } finally {
          await db.end().catch(() => {});
          pgs.stop();
        }
      },
      async stop() {
        await admin.close().catch(() => {});
        await started.stop();
      },
    };
  },
};
