// One `eddy bench <mode>` run: topic setup (a temporary topic unless --topic), RSS sampling,
// progress, the mode itself, cleanup, and the report.
import { randomBytes } from 'node:crypto';
import { RssSampler, resolveRssSource } from './broker_rss.ts';
import { connectEddy, createTopic, deleteTopic } from './eddy_client.ts';
import { runConsumer } from './consumer.ts';
import { runE2e } from './e2e.ts';
import { parseBenchOptions, type BenchOptions, type RawBenchOptions } from './options.ts';
import { DEFAULT_MAX_QUEUE_BYTES, runProducers } from './producer.ts';
import { createProgress } from './progress.ts';
import { formatReport, formatReportJson, type BenchReport } from './report.ts';
import { moduleRef, runSmartModule } from './smartmodule.ts';

export const BENCH_MODES = ['producer', 'consumer', 'e2e', 'smartmodule'] as const;
export type BenchMode = (typeof BENCH_MODES)[number];

function configOf(mode: BenchMode, o: BenchOptions): BenchReport['config'] {
  const c: BenchReport['config'] = { 'record-size': o.recordSize, 'num-records': o.numRecords, partitions: o.partitions };
  if (mode === 'producer' || mode === 'e2e') {
    Object.assign(c, { 'batch-size': o.batchSize, linger: `${o.lingerMs}ms`, compression: o.compression, 'max-in-flight': o.maxInFlight });
  }
  if (mode === 'producer') c.producers = o.producers;
  if (mode === 'e2e') c.rate = o.rate;
  if (o.topic === undefined) c.flush = o.flush;
  return c;
}

/** Fills a topic for the consume modes (untimed). */
async function fill(o: BenchOptions, topic: string): Promise<void> {
  const bar = createProgress(o.progress, 'filling  ', o.numRecords);
  try {
    await runProducers({ ...o, topic, producers: 1, maxQueueBytes: DEFAULT_MAX_QUEUE_BYTES, onProgress: (n) => bar.update(n) });
  } finally {
    bar.stop();
  }
}

export async function runBench(mode: BenchMode, o: BenchOptions): Promise<BenchReport> {
  // Bad module options fail before any topic is made or filled.
  const module = mode === 'smartmodule' ? await moduleRef(o.smartmodule, o.smartmodulePath, o.params) : undefined;
  const admin = await connectEddy(o.endpoint);
  const temporary = o.topic === undefined;
  const topic = o.topic ?? `bench-${mode}-${randomBytes(4).toString('hex')}`;
  const rss = new RssSampler(resolveRssSource(o));
  try {
    if (temporary) {
      await createTopic(admin, topic, o.partitions, o.flush);
      if (mode === 'consumer' || mode === 'smartmodule') await fill(o, topic);
    }
    const report: BenchReport = {
      mode, topic, temporaryTopic: temporary, config: configOf(mode, o),
      records: 0, bytes: 0, seconds: 0, recordsPerSec: 0, mbPerSec: 0, latency: undefined, brokerRss: undefined,
    };
    const bar = createProgress(o.progress, mode.padEnd(9), mode === 'smartmodule' ? o.numRecords * 2 : o.numRecords);
    await rss.start();
    try {
      if (mode === 'producer') {
        const r = await runProducers({ ...o, topic, maxQueueBytes: DEFAULT_MAX_QUEUE_BYTES, onProgress: (n) => bar.update(n) });
        Object.assign(report, r.throughput, { latency: r.latency });
      } else if (mode === 'consumer') {
        const r = await runConsumer({ endpoint: o.endpoint, topic, maxRecords: o.numRecords, onProgress: (n) => bar.update(n) });
        Object.assign(report, r);
      } else if (mode === 'e2e') {
        const r = await runE2e({ ...o, topic, onProgress: (n) => bar.update(n) });
        Object.assign(report, r.throughput, { latency: r.latency, targetRate: o.rate });
      } else {
        let base = 0;
        const r = await runSmartModule({
          endpoint: o.endpoint, topic, records: o.numRecords, recordSize: o.recordSize, module: module!,
          onProgress: (n) => { bar.update(base + n); if (n >= o.numRecords) base = o.numRecords; },
        });
        Object.assign(report, r.filtered, {
          smartmodule: { module: o.smartmodule ?? o.smartmodulePath!, plain: r.plain, filtered: r.filtered, ratio: r.ratio },
        });
      }
    } finally {
      bar.stop();
      report.brokerRss = await rss.stop();
    }
    return report;
  } finally {
    if (temporary) await deleteTopic(admin, topic).catch(() => {});
    await admin.close();
  }
}

/** Parses the options, runs, prints the report (table or JSON) through `print`. */
export async function benchCommand(mode: BenchMode, raw: RawBenchOptions, print: (text: string) => void): Promise<BenchReport> {
  const o = parseBenchOptions(raw);
  const report = await runBench(mode, o);
  print(o.output === 'json' ? formatReportJson(report) : formatReport(report));
  return report;
}
