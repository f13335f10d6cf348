// `eddy bench graph`: a dataflow graph's throughput on the broker, beside a plain consume of the
// same topic. Fills a temporary source topic with JSON readings (untimed), replays it plain, then
// applies the graph (examples/graphs/graph-bench.yaml, five operators of the `bench` module) and
// times apply → the sink holding every expected output. The broker is warmed first by the same
// graph on a small topic (its first graph loads the dataflow runtime: a cold start is a one-off
// cost of the broker, not of the graph). Graph, topics and (if it registered it) the module are
// removed afterwards.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Table from 'cli-table3';
import { RssSampler, resolveRssSource } from './broker_rss.ts';
import { runConsumer } from './consumer.ts';
import { connectEddy, createTopic, deleteTopic, openProducer, type EddyClient } from './eddy_client.ts';
import { BENCH_FLUSH, OUTPUT_FORMATS, defaultEndpoint, type BenchFlush, type OutputFormat } from './options.ts';
import { parseInteger } from '../parse/number.ts';
import { parseSize } from '../parse/size.ts';
import { ParseError } from '../parse/parse_error.ts';
import { DEFAULT_MAX_QUEUE_BYTES, runProducers } from './producer.ts';
import { createProgress } from './progress.ts';
import { fmtInt, rssRow, throughput, type RssSummary, type Throughput } from './report.ts';

export const GRAPH_BENCH_MODULE = { name: 'bench', version: '1.0.0' } as const;

export interface GraphBenchOptions {
  endpoint: string;
  records: number;
  recordSize: number;
  partitions: number;
  flush: BenchFlush;
  /** The bench module's .wasm; default examples/graphs/modules/bench/build/bench.wasm (built when stale). */
  wasmFile: string | undefined;
  /** The graph definition; default examples/graphs/graph-bench.yaml. */
  graphFile: string | undefined;
  output: OutputFormat;
  progress: boolean;
  brokerPid: number | undefined;
  metricsUrl: string | undefined;
  /** Give up when the graph makes no progress for this long. */
  stallMs?: number;
}

export interface GraphOperationFigures {
  name: string;
  type: string;
  recordsIn: number;
  recordsOut: number;
}

export interface GraphBenchReport {
  mode: 'graph';
  graph: string;
  sourceTopic: string;
  sinkTopic: string;
  config: Record<string, string | number>;
  module: { ref: string; file: string; sha256: string; registered: boolean };
  /** Records in the source topic. */
  records: number;
  /** Messages the graph must deliver for this data (the readings with "ok":true). */
  expectedOutput: number;
  plain: Throughput;
  /**
   * The graph, timed from just before apply until the sink holds `expectedOutput` messages:
   * records/s are source records processed per second (worker start and module compile included).
   */
  graphRun: Throughput & {
    /** Apply → first message in the sink. */
    firstOutputSeconds: number;
    /** Records/s after the first output (steady state; the source records of the rest of the run). */
    steadyRecordsPerSec: number;
    /** Records in the sink topic at the end (high watermarks summed). */
    sinkRecords: number;
    operations: GraphOperationFigures[];
  };
  /** graph / plain, in source records per second. */
  ratio: number;
  /** The untimed warm-up graph on WARM_UP_RECORDS readings: apply → all its outputs. */
  warmUpSeconds: number;
  brokerRss: RssSummary | undefined;
}

/** What commander hands over (strings as typed, or the defaults). */
export interface RawGraphBenchOptions {
  endpoint?: string;
  records?: string;
  numRecords?: string;
  recordSize?: string;
  partitions?: string;
  flush?: string;
  wasmFile?: string;
  graphFile?: string;
  output?: string;
  progress?: boolean;
  brokerPid?: string;
  metricsUrl?: string;
}

export const GRAPH_BENCH_DEFAULTS = { records: '1000000', recordSize: '100', partitions: '1', flush: 'os', output: 'table' } as const;

function flagged<T>(flag: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof ParseError) throw new ParseError(`${flag}: ${err.message}`);
    throw err;
  }
}

function oneOf<T extends string>(flag: string, value: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new ParseError(`${flag}: invalid value '${value}' (use one of: ${allowed.join(', ')})`);
}

/** Checks and converts the raw options; throws ParseError naming the flag that is wrong. */
export function parseGraphBenchOptions(raw: RawGraphBenchOptions): GraphBenchOptions {
  const d = GRAPH_BENCH_DEFAULTS;
  const output = oneOf('--output', raw.output ?? d.output, OUTPUT_FORMATS);
  const o: GraphBenchOptions = {
    endpoint: raw.endpoint ?? defaultEndpoint(),
    records: flagged('--records', () => parseInteger(raw.records ?? raw.numRecords ?? d.records, 1)),
    recordSize: flagged('--record-size', () => parseSize(raw.recordSize ?? d.recordSize)),
    partitions: flagged('--partitions', () => parseInteger(raw.partitions ?? d.partitions, 1, 1024)),
    flush: oneOf('--flush', raw.flush ?? d.flush, BENCH_FLUSH),
    wasmFile: raw.wasmFile,
    graphFile: raw.graphFile,
    output,
    progress: raw.progress !== false && output !== 'json' && process.stderr.isTTY === true,
    brokerPid: raw.brokerPid === undefined ? undefined : flagged('--broker-pid', () => parseInteger(raw.brokerPid!, 1)),
    metricsUrl: raw.metricsUrl,
  };
  reading(0, o.recordSize); // too small for a reading: fails here, before any topic is made
  return o;
}

/** Parses, runs, prints the report (table or JSON) through `print`. */
export async function graphBenchCommand(raw: RawGraphBenchOptions, print: (text: string) => void): Promise<GraphBenchReport> {
  const o = parseGraphBenchOptions(raw);
  const r = await runGraphBench(o);
  print(o.output === 'json' ? formatGraphReportJson(r) : formatGraphReport(r));
  return r;
}

/** Walks up from this file to the directory holding examples/graphs (the repository). */
function examplesDir(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = path.join(dir, 'examples', 'graphs');
    if (existsSync(path.join(candidate, 'graph-bench.yaml'))) return candidate;
    const up = path.dirname(dir);
    if (up === dir) throw new Error('examples/graphs/graph-bench.yaml not found: give --graph-file and --wasm-file');
    dir = up;
  }
}

/** The module bytes: --wasm-file, else the example module, compiled now when missing or stale. */
export async function benchModuleWasm(wasmFile: string | undefined): Promise<{ wasm: Uint8Array; file: string }> {
  if (wasmFile !== undefined) {
    try {
      return { wasm: readFileSync(wasmFile), file: wasmFile };
    } catch (err) {
      throw new Error(`--wasm-file: cannot read '${wasmFile}': ${(err as Error).message}`);
    }
  }
  const projectDir = path.join(examplesDir(), 'modules', GRAPH_BENCH_MODULE.name);
  const { buildIfStale } = await import('@eddy/smartmodule-sdk/build');
  const r = await buildIfStale({ projectDir });
  return { wasm: r.wasm, file: r.outFile };
}

// --- data ---------------------------------------------------------------------------------------

/** Distinct readings in the pool the producer cycles through. */
export const READING_POOL = 10_000;

/**
 * Reading `id` as exactly `size` bytes of JSON: {"id":..,"sensor":"s-NN","value":..,"ok":..,"pad":"..."}.
 * Every tenth id (…9) has "ok":false, so the graph's filter passes 90 %.
 */
export function reading(id: number, size: number): Buffer {
  const head = `{"id":${id},"sensor":"s-${String(id % 16).padStart(2, '0')}","value":${((id % 1000) / 10).toFixed(1)},"ok":${id % 10 !== 9},"pad":"`;
  const pad = size - head.length - 2;
  if (pad < 0) throw new ParseError(`--record-size: a reading needs at least ${head.length + 2} bytes, got ${size}`);
  return Buffer.from(head + 'x'.repeat(pad) + '"}', 'latin1');
}

/** Outputs the graph delivers for `records` readings (produced cycling through the pool). */
export function expectedOutputs(records: number): number {
  const okPerPool = READING_POOL - READING_POOL / 10;
  const full = Math.floor(records / READING_POOL);
  const rest = records - full * READING_POOL;
  return full * okPerPool + rest - Math.floor(rest / 10);
}

// --- the run ------------------------------------------------------------------------------------

async function registerModule(eddy: EddyClient, wasm: Uint8Array): Promise<{ sha256: string; registered: boolean }> {
  const admin = eddy.admin();
  const ref = `${GRAPH_BENCH_MODULE.name}:${GRAPH_BENCH_MODULE.version}`;
  const sha256 = createHash('sha256').update(wasm).digest('hex');
  const existing = await admin.listSmartModules([GRAPH_BENCH_MODULE.name]).catch(() => []);
  const same = existing.find((m) => m.spec.version === GRAPH_BENCH_MODULE.version);
  if (same && same.spec.sha256 === sha256) return { sha256, registered: false };
  // Another build of the bench module: the bench's own module, replaced by this one.
  if (same) await admin.deleteSmartModule(ref);
  await admin.createSmartModule(GRAPH_BENCH_MODULE.name, wasm, { version: GRAPH_BENCH_MODULE.version, description: 'eddy bench graph operators' });
  return { sha256, registered: true };
}

async function sinkRecords(eddy: EddyClient, topic: string): Promise<number> {
  const offsets = await eddy.admin().listOffsets(topic);
  return offsets.reduce((n, p) => n + p.highWatermark - p.logStartOffset, 0);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function runGraphBench(o: GraphBenchOptions): Promise<GraphBenchReport> {
  const graphFile = o.graphFile ?? path.join(examplesDir(), 'graph-bench.yaml');
  let definition: string;
  try {
    definition = readFileSync(graphFile, 'utf8');
  } catch (err) {
    throw new Error(`--graph-file: cannot read '${graphFile}': ${(err as Error).message}`);
  }
  const values = Array.from({ length: READING_POOL }, (_, id) => reading(id, o.recordSize));
  const module = await benchModuleWasm(o.wasmFile);
  const expected = expectedOutputs(o.records);

  const eddy = await connectEddy(o.endpoint);
  const admin = eddy.admin();
  const tag = randomBytes(4).toString('hex');
  const source = `bench-graph-src-${tag}`;
  const sink = `bench-graph-sink-${tag}`;
  const graph = `bench-graph-${tag}`;
  const rss = new RssSampler(resolveRssSource(o));
  let applied = false;
  let registered = false;
  try {
    await createTopic(eddy, source, o.partitions, o.flush);
    await createTopic(eddy, sink, 1, o.flush);
    const reg = await registerModule(eddy, module.wasm);
    registered = reg.registered;

    const fillBar = createProgress(o.progress, 'filling  ', o.records);
    try {
      await runProducers({
        endpoint: o.endpoint, topic: source, numRecords: o.records, recordSize: o.recordSize, producers: 1, values,
        batchSize: 1024 * 1024, lingerMs: 5, compression: 'none', maxInFlight: 16, maxQueueBytes: DEFAULT_MAX_QUEUE_BYTES,
        onProgress: (n) => fillBar.update(n),
      });
    } finally {
      fillBar.stop();
    }

    const warmUpSeconds = await warmUp(eddy, o, { graph: `${graph}-warm`, definition, graphFile, source: `${source}-warm`, sink: `${sink}-warm`, expected: expectedOutputs(WARM_UP_RECORDS) }, values);

    await rss.start();
    let brokerRss: RssSummary | undefined;
    let plain: Throughput;
    let run: GraphBenchReport['graphRun'];
    try {
      const plainBar = createProgress(o.progress, 'plain    ', o.records);
      try {
        plain = await runConsumer({ endpoint: o.endpoint, topic: source, maxRecords: o.records, onProgress: (n) => plainBar.update(n) });
      } finally {
        plainBar.stop();
      }
      if (plain.records !== o.records) throw new Error(`plain consume read ${plain.records} of ${o.records} records`);

      const bar = createProgress(o.progress, 'graph    ', expected);
      try {
        run = await timeGraph(eddy, o, { graph, definition, graphFile, source, sink, expected }, (n) => bar.update(n), () => { applied = true; });
      } finally {
        bar.stop();
      }
    } finally {
      brokerRss = await rss.stop();
    }
    return {
      mode: 'graph',
      graph,
      sourceTopic: source,
      sinkTopic: sink,
      config: { records: o.records, 'record-size': o.recordSize, partitions: o.partitions, flush: o.flush, 'graph-file': path.relative(process.cwd(), graphFile) || graphFile },
      module: { ref: `${GRAPH_BENCH_MODULE.name}:${GRAPH_BENCH_MODULE.version}`, file: module.file, sha256: reg.sha256, registered: reg.registered },
      records: o.records,
      expectedOutput: expected,
      plain,
      graphRun: run,
      ratio: run.recordsPerSec / plain.recordsPerSec,
      warmUpSeconds,
      brokerRss,
    };
  } finally {
    if (applied) await admin.deleteGraph(graph).catch(() => {});
    await deleteTopic(eddy, source).catch(() => {});
    await deleteTopic(eddy, sink).catch(() => {});
    if (registered) await admin.deleteSmartModule(`${GRAPH_BENCH_MODULE.name}:${GRAPH_BENCH_MODULE.version}`).catch(() => {});
    await eddy.close();
  }
}

interface GraphTarget {
  graph: string;
  definition: string;
  graphFile: string;
  source: string;
  sink: string;
  expected: number;
}

const WARM_UP_RECORDS = 1000;

/** Runs the graph once on a small topic of its own, then removes it; returns apply → done seconds. */
async function warmUp(eddy: EddyClient, o: GraphBenchOptions, t: GraphTarget, values: Buffer[]): Promise<number> {
  const admin = eddy.admin();
  await createTopic(eddy, t.source, o.partitions, o.flush);
  await createTopic(eddy, t.sink, 1, o.flush);
  let applied = false;
  try {
    const producer = await openProducer(eddy, t.source, { batchSize: 1024 * 1024, lingerMs: 5, compression: 'none', maxInFlight: 16, maxQueueBytes: DEFAULT_MAX_QUEUE_BYTES });
    await producer.sendMany(values.slice(0, WARM_UP_RECORDS));
    await producer.close();
    const start = performance.now();
    await admin.applyGraph({
      name: t.graph, definition: t.definition, sources: [t.source], sink: t.sink,
      params: {}, state: {}, allowedLatenessMs: 0, lateTopic: null,
    }, { file: t.graphFile });
    applied = true;
    const deadline = start + (o.stallMs ?? 30_000);
    while ((await sinkRecords(eddy, t.sink)) < t.expected) {
      const g = await admin.describeGraph(t.graph);
      if (g.status.state === 'failed' || g.status.error) throw new Error(`graph ${t.graph} (warm-up) failed: ${g.status.error ?? g.status.state}`);
      if (performance.now() > deadline) throw new Error(`graph ${t.graph} (warm-up) gave no result in ${((performance.now() - start) / 1000).toFixed(1)} s`);
      await sleep(5);
    }
    return (performance.now() - start) / 1000;
  } finally {
    if (applied) await admin.deleteGraph(t.graph).catch(() => {});
    await deleteTopic(eddy, t.source).catch(() => {});
    await deleteTopic(eddy, t.sink).catch(() => {});
  }
}

/** Applies the graph and waits for the sink to hold every expected output; the clock starts at apply. */
async function timeGraph(eddy: EddyClient, o: GraphBenchOptions, t: GraphTarget, onProgress: (n: number) => void, onApplied: () => void): Promise<GraphBenchReport['graphRun']> {
  const admin = eddy.admin();
  const stallMs = o.stallMs ?? 30_000;
  const start = performance.now();
  await admin.applyGraph({
    name: t.graph, definition: t.definition, sources: [t.source], sink: t.sink,
    params: {}, state: {}, allowedLatenessMs: 0, lateTopic: null,
  }, { file: t.graphFile });
  onApplied();
  let inSink = 0;
  let firstOutput = -1;
  let atFirstOutput = 0;
  let lastChange = performance.now();
  let polls = 0;
  while (inSink < t.expected) {
    await sleep(5);
    const n = await sinkRecords(eddy, t.sink);
    const now = performance.now();
    if (n > 0 && firstOutput < 0) {
      firstOutput = now;
      atFirstOutput = n;
    }
    if (n !== inSink) {
      inSink = n;
      lastChange = now;
      onProgress(n);
    }
    // A failed graph or one that stopped moving ends the run with its status, not a hang.
    if (++polls % 20 === 0 || now - lastChange > stallMs) {
      const g = await admin.describeGraph(t.graph);
      if (g.status.state === 'failed' || g.status.error) throw new Error(`graph ${t.graph} failed: ${g.status.error ?? g.status.state}`);
      if (now - lastChange > stallMs) throw new Error(`graph ${t.graph} stalled: ${inSink} of ${t.expected} outputs in the sink after ${((now - start) / 1000).toFixed(1)} s (state ${g.status.state})`);
    }
  }
  const end = performance.now();
  const seconds = (end - start) / 1000;
  // The runner reports per-operation counts after each step's sink append: wait for the last one.
  let operations: GraphOperationFigures[] = [];
  for (let i = 0; i < 200; i++) {
    const g = await admin.describeGraph(t.graph);
    operations = g.status.operators.map((op) => ({ name: op.name, type: op.type, recordsIn: Number(op.recordsIn), recordsOut: Number(op.recordsOut) }));
    if (operations.find((op) => op.type === 'source')?.recordsIn === o.records) break;
    await sleep(10);
  }
  const sinkCount = await sinkRecords(eddy, t.sink);
  const steadySeconds = (end - firstOutput) / 1000;
  return {
    ...throughput(o.records, o.records * o.recordSize, seconds),
    firstOutputSeconds: (firstOutput - start) / 1000,
    // source records behind the outputs after the first poll that saw any (the pass rate is uniform)
    steadyRecordsPerSec: steadySeconds > 0 ? (o.records * (t.expected - atFirstOutput)) / t.expected / steadySeconds : 0,
    sinkRecords: sinkCount,
    operations,
  };
}

// --- report -------------------------------------------------------------------------------------

function row(t: Throughput): string {
  return `${fmtInt(t.recordsPerSec)} records/s   ${t.mbPerSec.toFixed(1)} MB/s   (${fmtInt(t.records)} records in ${t.seconds.toFixed(2)} s)`;
}

export function formatGraphReport(r: GraphBenchReport): string {
  const table = new Table({ style: { head: [], border: [] }, wordWrap: true, colWidths: [28, 92] });
  table.push({ mode: 'graph' });
  table.push({ topics: `${r.sourceTopic} -> ${r.sinkTopic} (temporary)` });
  table.push({ config: Object.entries(r.config).map(([k, v]) => `${k}=${v}`).join(' ') });
  table.push({ module: `${r.module.ref} (${r.module.sha256.slice(0, 12)}, ${r.module.registered ? 'registered by this run' : 'already registered'})` });
  table.push({ plain: row(r.plain) });
  table.push({ graph: row(r.graphRun) });
  table.push({ 'graph, after 1st output': `${fmtInt(r.graphRun.steadyRecordsPerSec)} records/s   (first output ${(r.graphRun.firstOutputSeconds * 1000).toFixed(0)} ms after apply)` });
  table.push({ 'ratio (graph/plain)': `${(r.ratio * 100).toFixed(1)} %` });
  table.push({ 'warm-up (untimed)': `${fmtInt(WARM_UP_RECORDS)} records, apply -> all outputs ${(r.warmUpSeconds * 1000).toFixed(0)} ms` });
  table.push({ sink: `${fmtInt(r.graphRun.sinkRecords)} records (expected ${fmtInt(r.expectedOutput)})` });
  table.push({ operations: r.graphRun.operations.map((op) => `${op.name} (${op.type}): ${fmtInt(op.recordsIn)} in, ${fmtInt(op.recordsOut)} out`).join('\n') });
  table.push({ 'broker RSS': rssRow(r.brokerRss) });
  return table.toString();
}

export function formatGraphReportJson(r: GraphBenchReport): string {
  return JSON.stringify(r, null, 2);
}
