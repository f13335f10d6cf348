// Test helper: runs an example SmartModule through the real engine (@eddy/smartengine)
// on records encoded with the real record format (@eddy/protocol).
import { SmartEngine, type SmartChain, type SmartModuleRuntimeError, type SmartModuleSpec } from '@eddy/smartengine';
import { encodeRecordsSection, visitRecords } from '@eddy/protocol';
import { exampleWasm } from './build.ts';

export interface InRecord {
  key?: string | null;
  value: string;
}

export interface OutRecord {
  key: string | null;
  value: string;
  offset: number;
  timestamp: number;
}

export interface RunResult {
  records: OutRecord[];
  values: string[];
  error?: SmartModuleRuntimeError;
}

const utf8 = new TextEncoder();
export const BASE_TIMESTAMP = 1_700_000_000_000;

/** A records section (u32 count + records) of string records, timestamps BASE_TIMESTAMP + i. */
export function section(records: ReadonlyArray<string | InRecord>): Uint8Array {
  return encodeRecordsSection(
    records.map((r, i) => {
      const rec = typeof r === 'string' ? { value: r } : r;
      return {
        key: rec.key == null ? null : utf8.encode(rec.key),
        value: utf8.encode(rec.value),
        timestamp: BASE_TIMESTAMP + i,
      };
    }),
    { firstTimestamp: BASE_TIMESTAMP },
  );
}

/** Decodes a records section the engine returned. */
export function decodeSection(records: Uint8Array, baseOffset: number, baseTimestamp: number): OutRecord[] {
  const out: OutRecord[] = [];
  visitRecords(records, baseOffset, baseTimestamp, (r) => {
    out.push({
      key: r.key()?.toString('utf8') ?? null,
      value: r.value().toString('utf8'),
      offset: r.offset,
      timestamp: r.timestamp,
    });
  });
  return out;
}

/** One example module in a one-worker engine, for one test file. */
export class ExampleRunner {
  readonly engine: SmartEngine;
  readonly chain: SmartChain;

  private constructor(engine: SmartEngine, chain: SmartChain) {
    this.engine = engine;
    this.chain = chain;
  }

  static async open(name: string, spec: Omit<SmartModuleSpec, 'name' | 'wasm'> = {}): Promise<ExampleRunner> {
    const wasm = await exampleWasm(name);
    const engine = new SmartEngine({ memoryLimitBytes: 32 * 1024 * 1024, timeBudgetMs: 5000, workers: 1 });
    try {
      const chain = await engine.chain([{ name, wasm, ...spec }]);
      return new ExampleRunner(engine, chain);
    } catch (err) {
      await engine.close();
      throw err;
    }
  }

  /** Processes one batch of records at `baseOffset`. */
  async run(records: ReadonlyArray<string | InRecord>, baseOffset = 0): Promise<RunResult> {
    const result = await this.chain.process({ baseOffset, baseTimestamp: BASE_TIMESTAMP, records: section(records) });
    const out = decodeSection(result.records, baseOffset, BASE_TIMESTAMP);
    return { records: out, values: out.map((r) => r.value), ...(result.error ? { error: result.error } : {}) };
  }

  async close(): Promise<void> {
    await this.chain.close();
    await this.engine.close();
  }
}
