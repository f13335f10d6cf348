// Throughput of a filter chain through the engine, batch by batch, as the consume path uses it.
// Run: node packages/smartengine/test/bench.ts [recordsPerBatch] [valueBytes] [seconds]
import { SmartEngine } from '../src/mod.ts';
import { encodeRecords } from './records.ts';
import { FILTER_A, MAP_UPPER } from './wat_modules.ts';

const perBatch = Number(process.argv[2] ?? 1000);
const valueBytes = Number(process.argv[3] ?? 100);
const seconds = Number(process.argv[4] ?? 3);

const filler = 'bcdefghijklmnopqrstuvwxyz0123456789'.repeat(Math.ceil(valueBytes / 35));
const records = encodeRecords(
  Array.from({ length: perBatch }, (_, i) => ({ value: (i % 2 === 0 ? 'a' : 'b') + filler.slice(0, valueBytes - 1) })),
);
console.log(`batch: ${perBatch} records, ${records.length} bytes`);

async function run(label: string, streams: number, specs: Parameters<SmartEngine['chain']>[0], depth: number): Promise<void> {
  const engine = new SmartEngine({ workers: streams, logger: () => {} });
  const chains = await Promise.all(Array.from({ length: streams }, () => engine.chain(specs)));
  // warm up
  for (const c of chains) for (let i = 0; i < 50; i++) await c.process({ baseOffset: 0, records });
  let batches = 0;
  let outBytes = 0;
  const end = performance.now() + seconds * 1000;
  const t0 = performance.now();
  await Promise.all(
    chains.map(async (chain) => {
      // keep `depth` batches in flight per stream
      const inFlight: Promise<void>[] = [];
      const one = async (): Promise<void> => {
        const out = await chain.process({ baseOffset: batches * perBatch, records });
        outBytes += out.records.length;
        batches++;
      };
      while (performance.now() < end) {
        inFlight.push(one());
        if (inFlight.length >= depth) await inFlight.shift();
      }
      await Promise.all(inFlight);
    }),
  );
  const secs = (performance.now() - t0) / 1000;
  const recs = batches * perBatch;
  console.log(
    `${label.padEnd(34)} ${(recs / secs / 1e6).toFixed(2)} M records/s  ${((batches * records.length) / secs / 1e6).toFixed(0)} MB/s in  ` +
      `${((secs * 1e6) / batches * streams).toFixed(0)} us/batch/stream`,
  );
  await engine.close();
}

// baseline: what a consumer does with a batch without SmartModules (one copy)
{
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < 1000) {
    Buffer.from(records);
    n++;
  }
  console.log(`${'copy only (baseline)'.padEnd(34)} ${((n * perBatch) / 1e6).toFixed(2)} M records/s`);
}
await run('filter, 1 stream, sequential', 1, [{ name: 'f', wasm: FILTER_A }], 1);
await run('filter, 1 stream, 2 in flight', 1, [{ name: 'f', wasm: FILTER_A }], 2);
await run('filter+map, 1 stream, 2 in flight', 1, [{ name: 'f', wasm: FILTER_A }, { name: 'm', wasm: MAP_UPPER }], 2);
await run('filter, 2 streams, 2 in flight', 2, [{ name: 'f', wasm: FILTER_A }], 2);
