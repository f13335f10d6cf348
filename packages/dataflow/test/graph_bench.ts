// The graph instance's hot path in one process, without a broker: stored record batches →
// messages → GraphInstance.process → sink record batch, on the bench graph and module
// (examples/graphs). Prints ns per message per stage. Run:
//   npx node packages/dataflow/test/graph_bench.ts [records=1000000] [--cpu-prof]
import { readFileSync } from 'node:fs';
import { encodeBatch } from '@eddy/protocol';
import { GraphInstance, compileOperatorModule, loadGraphOrThrow } from '@eddy/dataflow';
import { messagesFromRecordBatches, recordBatchFromMessages } from '@eddy/dataflow/internal';
import { GRAPHS_DIR, moduleWasm } from '../../../examples/graphs/build.ts';

const records = Number(process.argv[2] ?? 1_000_000);
const wasm = await moduleWasm('bench');
const compiled = compileOperatorModule('bench:1.0.0', wasm);
const { plan } = loadGraphOrThrow(readFileSync(`${GRAPHS_DIR}/graph-bench.yaml`, 'utf8'), { resolveModule: () => compiled.provides });

function payload(i: number): Buffer {
  const base = `{"id":${i},"sensor":"s-${String(i % 100).padStart(2, '0')}","value":${(i % 997) / 10},"ok":${i % 10 !== 0}`;
  return Buffer.from(`${base},"pad":"${'x'.repeat(Math.max(0, 100 - base.length - 10))}"}`);
}

// Stored batches of 1000 records, read 1 MiB at a time as the driver does.
const t0 = 1_700_000_000_000;
const batches: Buffer[] = [];
for (let i = 0; i < records; i += 1000) {
  batches.push(encodeBatch(Array.from({ length: Math.min(1000, records - i) }, (_, k) => ({ value: payload(i + k), timestamp: t0 + i + k })), { baseOffset: i }));
}
const reads: Buffer[] = [];
for (let i = 0; i < batches.length;) {
  const group: Buffer[] = [];
  let size = 0;
  while (i < batches.length && size < 1 << 20) {
    size += batches[i].length;
    group.push(batches[i++]);
  }
  reads.push(Buffer.concat(group));
}

const g = new GraphInstance({ plan, modules: new Map([['bench:1.0.0', compiled]]), node: 0, allowedLatenessMs: 0 });
let tSource = 0;
let tGraph = 0;
let tSink = 0;
let out = 0;
let seq = 0;
const start = performance.now();
for (const data of reads) {
  const a = performance.now();
  const { messages } = messagesFromRecordBatches(data, 0, 'src', 0);
  const b = performance.now();
  const r = g.process(messages);
  const c = performance.now();
  if (r.output.count > 0) recordBatchFromMessages(r.output, { producerId: 1, firstSequence: seq % 2 ** 31 });
  const d = performance.now();
  seq += r.output.count;
  out += r.output.count;
  tSource += b - a;
  tGraph += c - b;
  tSink += d - c;
}
const total = performance.now() - start;
const ns = (ms: number) => ((ms * 1e6) / records).toFixed(0);
console.log(`${records} records → ${out} outputs in ${total.toFixed(0)} ms: ${Math.round(records / (total / 1000)).toLocaleString()} msg/s`);
console.log(`ns/record: source ${ns(tSource)}  graph ${ns(tGraph)}  sink ${ns(tSink)}`);
