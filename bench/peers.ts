// `npm run bench:peers`: Eddy side by side with Redis Streams, NATS JetStream and Mosquitto, same
// workloads, one table. Each system runs alone on the machine in turn (a 2-core box cannot host
// two servers under load fairly); everything started is stopped, also on Ctrl-C and on errors.
//
//   node bench/peers.ts [--smoke] [--scale F | --records N] [--repeat N] [--peers redis,redis-c,nats,mosquitto,file,floor,pg]
//                       [--out DIR] [--no-install] [--no-md] [-O json]
//
// The systems run in --repeat rounds (default 3) and each figure reports the median of its runs:
// the machine may be shared, and one disturbed run should not decide a figure; rounds spread such
// disturbance over all systems alike. The load average at each turn is recorded with the results.
// The connector figures (MQTT ingest, sql-sink) run in the same turns: Eddy's turn measures the
// connector against its broker, Mosquitto's turn and the plain pg client's turn their baselines.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { readProcRss, payloadPool, type Throughput } from '@eddy/cli/internal';
import { eddy } from './peers/eddy.ts';
import { redis, redisC } from './peers/redis.ts';
import { nats } from './peers/nats.ts';
import { mosquitto } from './peers/mosquitto.ts';
import { fileWrite } from './peers/file_write.ts';
import { nodeFloor } from './peers/node_floor.ts';
import { pgClient } from './peers/pg_client.ts';
import { warmPageAllocator } from './support/page_warmup.ts';
import { FIGURES, sizes as computeSizes, type FigureId, type Sizes } from './workloads.ts';
import { PG_DURABILITY } from './support/postgres.ts';
import { describeMachine } from './support/machine.ts';
import { stopAll, trackTempDir } from './support/processes.ts';
import { Unavailable, type Durability, type PeerServer, type PeerSystem, type RunContext } from './support/peer.ts';
import { EDDY, emptyFigure, judge, type Cell, type FigureResult, type Results, type SystemInfo } from './support/results.ts';
import { renderText, formatValue } from './support/table.ts';
import { renderSvg } from './support/chart.ts';
import { updateBenchmarksMd } from './support/benchmarks_md.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const PEERS: Record<string, PeerSystem> = { redis, 'redis-c': redisC, nats, mosquitto, file: fileWrite, floor: nodeFloor, pg: pgClient };

function usage(msg: string): never {
  process.stderr.write(`bench:peers: ${msg}\nusage: node bench/peers.ts [--smoke] [--scale F | --records N] [--peers ${Object.keys(PEERS).join(',')}] [--out DIR] [--no-install] [--no-md] [-O json]\n`);
  process.exit(2);
}

const { values: args } = parseArgs({
  options: {
    smoke: { type: 'boolean', default: false },
    scale: { type: 'string' },
    records: { type: 'string' },
    repeat: { type: 'string' },
    peers: { type: 'string' },
    out: { type: 'string' },
    'no-install': { type: 'boolean', default: false },
    'no-md': { type: 'boolean', default: false },
    output: { type: 'string', short: 'O', default: 'table' },
    help: { type: 'boolean', short: 'h', default: false },
  },
  strict: true,
});
if (args.help) usage('help');
const smoke = args.smoke === true;
const scale = args.scale === undefined ? 1 : Number(args.scale);
if (!(scale > 0)) usage(`--scale must be a positive number, got '${args.scale}'`);
const records = args.records === undefined ? undefined : Number(args.records);
if (records !== undefined && !(Number.isSafeInteger(records) && records > 0)) usage(`--records must be a positive whole number, got '${args.records}'`);
const repeat = args.repeat === undefined ? (args.smoke ? 1 : 3) : Number(args.repeat);
if (!(Number.isSafeInteger(repeat) && repeat >= 1 && repeat <= 25)) usage(`--repeat must be a whole number 1-25, got '${args.repeat}'`);
if (args.output !== 'table' && args.output !== 'json') usage(`-O must be table or json, got '${args.output}'`);
const peerNames = (args.peers ?? Object.keys(PEERS).join(',')).split(',').map((s) => s.trim()).filter(Boolean);
for (const p of peerNames) if (!PEERS[p]) usage(`unknown peer '${p}' (known: ${Object.keys(PEERS).join(', ')})`);
// Smoke runs must never overwrite the published results.
const outDir = args.out ?? (smoke ? mkdtempSync(join(tmpdir(), 'eddy-bench-smoke-')) : join(ROOT, 'bench/results'));
const install = !args['no-install'] && !smoke;
const updateMd = !args['no-md'] && !smoke && args.out === undefined;

const sz: Sizes = computeSizes({ smoke, scale, records });
const log = (line: string): void => { process.stderr.write(`${line}\n`); };
const figures = new Map<FigureId, FigureResult>(FIGURES.map((f) => [f.id, emptyFigure(f)]));
const set = (id: FigureId, system: string, cell: Cell): void => { figures.get(id)!.cells[system] = cell; };
const dataRoot = trackTempDir(mkdtempSync(join(tmpdir(), 'eddy-bench-peers-')));

function ctxFor(system: string, durability: Durability): RunContext {
  const dataDir = mkdtempSync(join(dataRoot, `${system.replace(/\W+/g, '-').toLowerCase()}-${durability}-`));
  return { dataDir, install, log };
}

const onlyOf = new Map<string, readonly FigureId[] | undefined>();
const figurePeers = new Map(FIGURES.map((f) => [f.id, f.peers]));
/** Whether a system takes part in a figure (e.g. redis-benchmark only produces; a connector figure has one baseline). */
function wanted(system: string, id: FigureId): boolean {
  const only = onlyOf.get(system);
  const peers = figurePeers.get(id);
  return (only === undefined || only.includes(id)) && (peers === undefined || system === EDDY || peers.includes(system));
}

/** First line of a message, plus its last non-empty line when they differ (a server's last words). */
function oneLine(msg: string): string {
  const lines = msg.split('\n').map((l) => l.trim()).filter(Boolean);
  return lines.length <= 1 ? (lines[0] ?? '') : `${lines[0]} ${lines[lines.length - 1]}`;
}

/** Untimed, before each produce run of every system: see support/page_warmup.ts (not in smoke runs). */
const warmPages = (volume: number): void => { if (!smoke) warmPageAllocator(dataRoot, Math.max(2 * volume, 256 * 1024 * 1024)); };

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Every run of every (figure, system), over all rounds; the median becomes the cell. */
const runs = new Map<string, Cell[]>();
const runKey = (id: FigureId, system: string): string => `${id}|${system}`;
function record(id: FigureId, system: string, cell: Cell): void {
  const k = runKey(id, system);
  const list = runs.get(k);
  if (list) list.push(cell);
  else runs.set(k, [cell]);
}

/** Runs one measurement once; an Unavailable or a failure becomes the run's note instead of a value. */
async function measure(id: FigureId, system: string, durability: string, what: string, fn: () => Promise<Cell>): Promise<void> {
  if (!wanted(system, id)) return;
  const f = figures.get(id)!;
  try {
    const cell = await fn();
    cell.durability ??= durability;
    record(id, system, cell);
    log(`  [${system}] ${what}: ${cell.value === undefined ? 'n/a' : `${formatValue(f.unit, cell.value)} ${f.unit}`}`);
  } catch (err) {
    const reason = err instanceof Unavailable ? err.message : `failed: ${oneLine((err as Error).message)}`;
    record(id, system, { unavailable: reason });
    log(`  [${system}] ${what}: n/a (${reason})`);
    if (!(err instanceof Unavailable) && process.env.EDDY_BENCH_DEBUG) log(String((err as Error).stack));
  }
}

/** The median run of each (figure, system) becomes its cell; all runs are kept in detail.runs. */
function settleCells(): void {
  for (const [k, list] of runs) {
    const [id, system] = k.split('|') as [FigureId, string];
    const f = figures.get(id)!;
    const valued = list.filter((c) => c.value !== undefined).sort((a, b) => a.value! - b.value!);
    const cell = valued.length > 0 ? valued[(valued.length - 1) >> 1] : list[0];
    if (list.length > 1) cell.detail = { ...cell.detail, runs: list.map((c) => (c.value === undefined ? 'n/a' : formatValue(f.unit, c.value))).join(' ') };
    set(id, system, cell);
  }
}

function tp(t: Throughput): Record<string, number> {
  return { records: t.records, seconds: Number(t.seconds.toFixed(4)), recordsPerSec: Math.round(t.recordsPerSec), mbPerSec: Number(t.mbPerSec.toFixed(2)) };
}

/** Rows per statement of the plain pg client: the sink's average batch in Eddy's latest turn. */
let sqlBatch = 1000;

/** The examples' filter SmartModule (keeps values containing "a", Fluvio's filter example), built if stale. */
async function filterModule(): Promise<{ name: string; wasm: Uint8Array }> {
  const builder = join(ROOT, 'examples/smartmodules/build.ts');
  if (!existsSync(builder)) throw new Unavailable('no SmartModule examples (examples/smartmodules/build.ts) yet');
  const { exampleWasm } = (await import(builder)) as { exampleWasm(name: string): Promise<Uint8Array> };
  return { name: 'examples/smartmodules/filter', wasm: await exampleWasm('filter') };
}

async function runSystem(system: PeerSystem, info: SystemInfo): Promise<void> {
  const v100 = payloadPool(100);
  const v5k = payloadPool(5 * 1024);
  const name = system.name;
  let server: PeerServer | undefined;
  log(`${name}: starting (${info.version})`);
  const ctx = ctxFor(name, 'os');
  try {
    server = await system.start('os', ctx);
  } catch (err) {
    const reason = err instanceof Unavailable ? err.message : oneLine((err as Error).message);
    info.unavailable = reason;
    process.stdout.write(`${name === EDDY ? 'Eddy' : `peer ${name}`} unavailable: ${reason}\n`);
  }
  if (server) {
    const s = server;
    try {
      await sleep(smoke ? 200 : 1000);
      if (wanted(name, 'rssIdle')) {
        const idle = readProcRss(s.pid);
        record('rssIdle', name, idle === undefined ? { unavailable: 'cannot read /proc' } : { value: idle / 1e6, durability: '' });
        log(`  [${name}] RSS idle: ${idle === undefined ? 'n/a' : (idle / 1e6).toFixed(1)} MB`);
      }
      if (sz.warmup > 0 && wanted(name, 'produce100')) {
        // Untimed: JIT of the client (and of the Eddy broker) before the first figure.
        await s.produce({ stream: 'warmup', records: sz.warmup, recordSize: 100, producers: 1, values: v100 }).catch(() => undefined);
        await s.e2e({ stream: 'warmup-e2e', records: Math.min(5000, sz.warmup), recordSize: 100, rate: sz.e2eRate, values: v100 }).catch(() => undefined);
      }
      let peak = 0;
      const sampler = setInterval(() => { peak = Math.max(peak, readProcRss(s.pid) ?? 0); }, 100);
      await measure('produce100', name, s.durability, `produce ${sz.produce100} x 100 B`, async () => {
        warmPages(sz.produce100 * 100);
        const t = await s.produce({ stream: 'p100', records: sz.produce100, recordSize: 100, producers: 1, values: v100 });
        return { value: t.recordsPerSec, detail: tp(t) };
      });
      clearInterval(sampler);
      peak = Math.max(peak, readProcRss(s.pid) ?? 0);
      if (wanted(name, 'rssProduce')) {
        record('rssProduce', name, peak > 0 ? { value: peak / 1e6, durability: '' } : { unavailable: 'cannot read /proc' });
        log(`  [${name}] RSS peak during produce: ${(peak / 1e6).toFixed(1)} MB`);
      }
      const produced = runs.get(runKey('produce100', name))?.at(-1)?.value !== undefined;
      await measure('consume100', name, s.durability, `consume ${sz.produce100} x 100 B`, async () => {
        if (!produced) throw new Unavailable('the produce run failed, nothing to replay');
        const t = await s.consume({ stream: 'p100', records: sz.produce100, recordSize: 100 });
        if (t.records < sz.produce100) throw new Error(`replayed ${t.records} of ${sz.produce100} records`);
        return { value: t.recordsPerSec, detail: tp(t) };
      });
      await measure('smartmodule', name, s.durability, 'consume through a filter SmartModule', async () => {
        if (!s.smartmodule) throw new Unavailable('no SmartModules');
        if (!produced) throw new Unavailable('the produce run failed, nothing to replay');
        const module = await filterModule();
        const r = await s.smartmodule({ stream: 'p100', records: sz.produce100, recordSize: 100, wasm: module.wasm });
        const pct = (r.filtered.recordsPerSec / r.plain.recordsPerSec) * 100;
        return { value: pct, detail: { module: module.name, plainRecordsPerSec: Math.round(r.plain.recordsPerSec), filteredRecordsPerSec: Math.round(r.filtered.recordsPerSec), delivered: r.filtered.delivered } };
      });
      await measure('produce5k', name, s.durability, `produce ${sz.produce5k} x 5 KiB`, async () => {
        warmPages(sz.produce5k * 5 * 1024);
        const t = await s.produce({ stream: 'p5k', records: sz.produce5k, recordSize: 5 * 1024, producers: 1, values: v5k });
        return { value: t.mbPerSec, detail: tp(t) };
      });
      await measure('e2e', name, s.durability, `e2e ${sz.e2eRecords} at ${sz.e2eRate}/s`, async () => {
        const r = await s.e2e({ stream: 'e2e', records: sz.e2eRecords, recordSize: 100, rate: sz.e2eRate, values: v100 });
        const l = r.latency;
        return { value: l.p99, detail: { ...tp(r), p50: l.p50, p95: l.p95, p99: l.p99, p999: l.p999, max: l.max } };
      });
      await measure('mqttIngest', name, s.durability, `MQTT ingest ${sz.mqttMessages} x ~100 B, QoS 1`, async () => {
        if (!s.mqttIngest) throw new Unavailable('no MQTT ingest');
        const r = await s.mqttIngest({ stream: 'mqtt-ingest', messages: sz.mqttMessages, size: 100, warmup: sz.warmup > 0 ? Math.min(sz.mqttMessages, 20_000) : 0 });
        return { value: r.perSec, detail: r.detail };
      });
      await measure('sqlSink', name, PG_DURABILITY, `sql-sink ${sz.sqlRows} rows`, async () => {
        if (!s.sqlSink) throw new Unavailable('no SQL sink');
        const r = await s.sqlSink({ stream: 'sql-sink', rows: sz.sqlRows, warmupRows: sz.warmup > 0 ? Math.min(sz.sqlRows, 20_000) : 0, batch: sqlBatch });
        // The plain client's turn comes after Eddy's in every round: it inserts with this batch size.
        if (name === EDDY && typeof r.detail.batch === 'number') sqlBatch = r.detail.batch;
        return { value: r.perSec, detail: r.detail };
      });
    } finally {
      await s.stop();
      rmSync(ctx.dataDir, { recursive: true, force: true });
    }
  } else {
    for (const id of figures.keys()) if (id !== 'fsync16' && wanted(name, id)) record(id, name, { unavailable: info.unavailable });
  }
  // fsync: a second server configured to fsync before every ack.
  await measure('fsync16', name, '', `produce ${sz.fsyncRecords} x 100 B, fsync, ${sz.fsyncProducers} producers`, async () => {
    if (info.unavailable) throw new Unavailable(info.unavailable);
    const fctx = ctxFor(name, 'fsync');
    const f = await system.start('fsync', fctx).catch((err) => { rmSync(fctx.dataDir, { recursive: true, force: true }); throw err; });
    try {
      if (sz.warmup > 0) await f.produce({ stream: 'warmup', records: Math.min(sz.warmup, sz.fsyncRecords), recordSize: 100, producers: sz.fsyncProducers, values: v100 }).catch(() => undefined);
      warmPages(sz.fsyncRecords * 100);
      const t = await f.produce({ stream: 'fsync', records: sz.fsyncRecords, recordSize: 100, producers: sz.fsyncProducers, values: v100 });
      return { value: t.recordsPerSec, durability: f.durability, detail: tp(t) };
    } finally {
      await f.stop();
      rmSync(fctx.dataDir, { recursive: true, force: true });
    }
  });
}

async function main(): Promise<void> {
  const machine = describeMachine(dataRoot);
  const systems: PeerSystem[] = [eddy, ...peerNames.map((n) => PEERS[n])];
  const infos: SystemInfo[] = [];
  log(`bench:peers${smoke ? ' (smoke)' : ''}: ${JSON.stringify(sz)}, median of ${repeat} rounds`);
  // Rounds, not one system after another: load from elsewhere on the machine then falls on every
  // system alike, and the median of the rounds is what each figure reports.
  for (const system of systems) {
    infos.push({ name: system.name, short: system.short, version: await system.version(), loadAvg: [] });
    onlyOf.set(system.name, system.only);
  }
  for (let round = 1; round <= repeat; round++) {
    if (repeat > 1) log(`round ${round} of ${repeat}`);
    for (let i = 0; i < systems.length; i++) {
      const info = infos[i];
      if (info.unavailable) continue;
      info.loadAvg!.push(Number(loadavg()[0].toFixed(2)));
      await runSystem(systems[i], info);
    }
  }
  settleCells();
  const eddyInfo = infos.find((i) => i.name === EDDY);
  if (eddyInfo?.unavailable) process.exitCode = 1; // without Eddy the run shows nothing it is for
  const figs = [...figures.values()];
  figs.forEach(judge);
  const results: Results = {
    format: 'eddy-bench-peers/1',
    when: new Date().toISOString(),
    smoke,
    sizes: sz,
    repeat,
    machine,
    command: `npm run bench:peers${process.argv.length > 2 ? ' -- ' + process.argv.slice(2).join(' ') : ''}`,
    systems: infos,
    figures: figs,
  };
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'latest.json'), JSON.stringify(results, null, 2) + '\n');
  writeFileSync(join(outDir, 'latest.svg'), renderSvg(results));
  if (updateMd) updateBenchmarksMd(join(ROOT, 'BENCHMARKS.md'), results, 'bench/results/latest.svg');
  if (args.output === 'json') process.stdout.write(JSON.stringify(results, null, 2) + '\n');
  else process.stdout.write(`${renderText(results)}\n`);
  log(`results: ${join(outDir, 'latest.json')}, chart: ${join(outDir, 'latest.svg')}${updateMd ? ', BENCHMARKS.md updated' : ''}`);
}

try {
  await main();
} catch (err) {
  process.stderr.write(`bench:peers failed: ${(err as Error).stack ?? err}\n`);
  process.exitCode = 1;
} finally {
  await stopAll();
}
