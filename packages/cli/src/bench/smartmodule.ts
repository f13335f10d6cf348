// `eddy bench smartmodule`: replays the same topic plain and through a SmartModule (the broker runs
// it on each batch before sending), and reports both and the ratio of records/s scanned.
import { readFile } from 'node:fs/promises';
import { runConsumer } from './consumer.ts';
import type { SmartModuleRef } from './eddy_client.ts';
import { throughput, type Throughput } from './report.ts';

export interface SmartModuleRun {
  endpoint: string;
  topic: string;
  /** Records in the topic (the filtered run scans them all, whatever passes). */
  records: number;
  recordSize: number;
  module: SmartModuleRef;
  onProgress?: (received: number) => void;
}

export interface SmartModuleResult {
  plain: Throughput;
  /** Throughput in records scanned (= records in the topic) per second; `delivered` passed the module. */
  filtered: Throughput & { delivered: number };
  ratio: number;
}

export async function moduleRef(name: string | undefined, path: string | undefined, params: Record<string, string>): Promise<SmartModuleRef> {
  if (path !== undefined) return { wasm: await readFile(path), params };
  if (name !== undefined) return { name, params };
  throw new RangeError('smartmodule mode needs --smartmodule NAME or --smartmodule-path FILE');
}

/** Records consumed untimed through each path before the timed runs. */
const WARMUP_RECORDS = 100_000;

export async function runSmartModule(run: SmartModuleRun): Promise<SmartModuleResult> {
  // Untimed, both paths: the first SmartModule stream of a broker starts its sandbox worker and
  // compiles the module (~70-100 ms on this machine, a third of a 1M-record run), and both
  // paths' code gets JIT-compiled; the timed runs then measure the steady state, as every other
  // figure does after its own warm-up.
  const warm = Math.min(WARMUP_RECORDS, Math.ceil(run.records / 10));
  await runConsumer({ endpoint: run.endpoint, topic: run.topic, maxRecords: warm });
  await runConsumer({ endpoint: run.endpoint, topic: run.topic, maxRecords: warm, smartmodule: run.module });
  const plain = await runConsumer({ endpoint: run.endpoint, topic: run.topic, maxRecords: run.records, onProgress: run.onProgress });
  // A filter may drop records: the filtered stream runs to the end of the log rather than to a count.
  const f = await runConsumer({ endpoint: run.endpoint, topic: run.topic, maxRecords: Number.MAX_SAFE_INTEGER, smartmodule: run.module, onProgress: run.onProgress });
  const filtered = { ...throughput(plain.records, plain.records * run.recordSize, f.seconds), delivered: f.records };
  return { plain, filtered, ratio: filtered.recordsPerSec / plain.recordsPerSec };
}
