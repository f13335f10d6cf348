// Throughput of consuming through a SmartModule filter vs plain, on one broker, same topic:
//   node packages/broker/test/smartmodule_bench.ts [records=1000000] [recordsPerBatch=1000] [valueBytes=100] [wasm=examples filter]
// Prints records/s of each run and the ratio (target >= 0.75). The broker runs in a child process;
// SM_BENCH_PROF=DIR writes its CPU profiles there, SM_BENCH_NODE_FLAGS adds node flags (e.g. --trace-gc); SM_BENCH_ROUNDS=N (default 3) rounds of
// plain then filtered; SM_BENCH_ONLY=plain|filtered runs one kind only (for profiling). The client here only counts records (from batch
// headers), so the broker is the bottleneck: a harsher ratio than `eddy bench smartmodule`'s.
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OffsetStart, batchRecordCount, encodeBatch } from '@eddy/protocol';
import { batchTotalSize } from '@eddy/protocol/internal';
import { spawn } from 'node:child_process';
import { RawClient, topicSpec } from './raw_client.ts';
import { FILTER_A, sm } from './smartmodule_helpers.ts';

const records = Number(process.argv[2] ?? 1_000_000);
const perBatch = Number(process.argv[3] ?? 1000);
const valueBytes = Number(process.argv[4] ?? 100);
const wasmPath = process.argv[5] ?? new URL('../../../examples/smartmodules/filter/build/filter.wasm', import.meta.url).pathname;
let wasm: Uint8Array;
try { wasm = readFileSync(wasmPath); } catch { wasm = FILTER_A; }

const dataDir = mkdtempSync(join(tmpdir(), 'eddy-sm-bench-'));
// The broker runs in its own process, as it does for real; this process is only the client.
const main = new URL('../src/main.ts', import.meta.url).pathname;
const nodeFlags = [
  ...(process.env.SM_BENCH_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.SM_BENCH_PROF}`] : []),
  ...(process.env.SM_BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean),
];
const broker = spawn(process.execPath, [...nodeFlags, main, '--data-dir', dataDir, '--port', '0', '--metrics-port', '-1', '--log-level', 'warn'], { stdio: ['ignore', 'pipe', 'inherit'] });
const port = await new Promise<number>((resolve, reject) => {
  broker.once('exit', (code) => reject(new Error(`broker exited with ${code}`)));
  let text = '';
  broker.stdout!.on('data', (d: Buffer) => {
    text += d.toString();
    const line = text.split('\n').find((l) => l.startsWith('{"event":"listening"'));
    if (line) resolve(JSON.parse(line).port);
    process.stderr.write(d);
  });
});
/**
 * User + system CPU time (ms) of the broker's threads so far, by kind: main thread, sandbox
 * workers, V8 helpers (GC, compiler), libuv pool (file I/O); from /proc (empty where there is none).
 */
function brokerCpuMs(): Record<string, number> {
  const by: Record<string, number> = {};
  try {
    for (const tid of readdirSync(`/proc/${broker.pid}/task`)) {
      const stat = readFileSync(`/proc/${broker.pid}/task/${tid}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
      const kind = name === 'WorkerThread' ? 'sandbox' : name.includes('MainThread') ? 'main' : name.includes('V8Worker') ? 'v8' : name.includes('libuv') ? 'io' : 'other';
      by[kind] = (by[kind] ?? 0) + (Number(fields[11]) + Number(fields[12])) * 10; // utime, stime in clock ticks (100/s)
    }
  } catch {
    // no /proc: no figures
  }
  return by;
}
const client = await RawClient.connect(port);
try {
  await client.request('CreateTopic', { name: 'b', spec: topicSpec(), dryRun: false });
  // Half of the values contain an "a".
  const letters = 'bcdefghijklmnopqrstuvwxyz';
  const pool = Array.from({ length: 64 }, (_, i) => {
    const v = Buffer.alloc(valueBytes);
    for (let j = 0; j < valueBytes; j++) v[j] = letters.charCodeAt((i * 7 + j * 13) % letters.length);
    if (i % 2 === 0) v[valueBytes >> 1] = 97;
    return v;
  });
  const batches: Buffer[] = [];
  for (let n = 0; n < records; n += perBatch) {
    const count = Math.min(perBatch, records - n);
    batches.push(encodeBatch(Array.from({ length: count }, (_, i) => ({ value: pool[(n + i) % pool.length] }))));
  }
  for (let i = 0; i < batches.length; i += 64) {
    const r = await client.request('Produce', { acks: 1, timeoutMs: 10_000, smartmodules: [], topics: [{ name: 'b', partitions: [{ partition: 0, records: Buffer.concat(batches.slice(i, i + 64)) }] }] });
    if (r.topics[0].partitions[0].errorCode !== 0) throw new Error(r.topics[0].partitions[0].errorMessage ?? 'produce failed');
  }

  const cpu: Record<'plain' | 'filtered', Array<Record<string, number>>> = { plain: [], filtered: [] };
  const run = async (filtered: boolean): Promise<{ seconds: number; delivered: number }> => {
    const cpuBefore = brokerCpuMs();
    const started = performance.now();
    const s = client.stream({ topic: 'b', startKind: OffsetStart.Beginning, stopAtEnd: true, smartmodules: filtered ? [sm(wasm, { name: 'filter' })] : [] });
    let delivered = 0;
    for (;;) {
      const r = await s.next(60_000);
      if (!r) throw new Error('connection closed');
      if (r.errorCode !== 0) throw new Error(r.errorMessage ?? `error ${r.errorCode}`);
      for (let at = 0; at < r.records.length; at += batchTotalSize(r.records, at)) delivered += batchRecordCount(r.records, at);
      if (r.endOfStream) break;
    }
    const seconds = (performance.now() - started) / 1000;
    const cpuAfter = brokerCpuMs();
    const used: Record<string, number> = {};
    for (const k of Object.keys(cpuAfter)) used[k] = ((cpuAfter[k] ?? 0) - (cpuBefore[k] ?? 0)) * 1e6 / records;
    cpu[filtered ? 'filtered' : 'plain'].push(used);
    return { seconds, delivered };
  };
  const only = process.env.SM_BENCH_ONLY;
  const rounds = Number(process.env.SM_BENCH_ROUNDS ?? 3);
  const doPlain = only !== 'filtered';
  const doFiltered = only !== 'plain';
  if (doPlain) await run(false);
  if (doFiltered) await run(true);
  const plain: number[] = [];
  const filter: number[] = [];
  const ratios: number[] = [];
  let delivered = 0;
  for (let i = 0; i < rounds; i++) {
    if (doPlain) plain.push(records / (await run(false)).seconds);
    if (doFiltered) {
      const f = await run(true);
      delivered = f.delivered;
      filter.push(records / f.seconds);
    }
    if (doPlain && doFiltered) ratios.push(filter[i] / plain[i]);
  }
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  console.log(`records ${records}, ${perBatch}/batch, ${valueBytes} B values, module ${wasm === FILTER_A ? 'FILTER_A (wat)' : wasmPath}`);
  if (doPlain) console.log(`plain    ${Math.round(median(plain)).toLocaleString()} rec/s  (runs: ${plain.map((x) => Math.round(x)).join(' ')})`);
  if (doFiltered) console.log(`filtered ${Math.round(median(filter)).toLocaleString()} rec/s scanned, ${delivered} delivered  (runs: ${filter.map((x) => Math.round(x)).join(' ')})`);
  // CPU the broker process (all its threads) spent per million records: less sensitive to load from elsewhere than rec/s.
  // (10 ms clock ticks: take the medians as rough figures.)
  for (const k of ['plain', 'filtered'] as const) {
    const runs = cpu[k].slice(1); // not the warm-up run
    if (runs.length === 0) continue;
    const kinds = ['main', 'sandbox', 'v8', 'io', 'other'].filter((kind) => runs.some((r) => r[kind]));
    const total = median(runs.map((r) => kinds.reduce((sum, kind) => sum + (r[kind] ?? 0), 0)));
    console.log(`cpu ${k.padEnd(8)} ${Math.round(total)} ms per million records: ${kinds.map((kind) => `${kind} ${Math.round(median(runs.map((r) => r[kind] ?? 0)))}`).join(', ')}`);
  }
  const hwm = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${broker.pid}/status`, 'utf8'))?.[1];
  if (hwm) console.log(`broker peak RSS ${(Number(hwm) / 1024).toFixed(0)} MB`);
  if (doPlain && doFiltered) {
    console.log(`ratio    ${(median(filter) / median(plain) * 100).toFixed(1)} % of medians; per round ${ratios.map((r) => (r * 100).toFixed(0)).join(' ')} %, median ${(median(ratios) * 100).toFixed(1)} %`);
  }
} finally {
  await client.close();
  broker.kill('SIGTERM');
  await new Promise((r) => broker.once('exit', r));
  rmSync(dataDir, { recursive: true, force: true });
}
