// Shared bits of the SmartModule broker tests: invocations and produce/stream shorthands.
import assert from 'node:assert/strict';
import { ErrorCode, OffsetStart } from '@eddy/protocol';
import type { SmartModuleInvocation, StreamFetchRequest, StreamFetchResponse } from '@eddy/protocol';
import type { RawClient } from './raw_client.ts';
import { batchOf, streamRecords, topicSpec } from './raw_client.ts';

export {
  FILTER_A, MAP_UPPER, AGGREGATE_CONCAT, FILTER_PARAM, FILTER_LOOKBACK, INFINITE_LOOP, TRAP, MEMORY_HOG,
} from '../../smartengine/test/wat_modules.ts';

/** An invocation: a registered module by name (string) or ad-hoc wasm bytes. */
export function sm(module: string | Uint8Array, over: Partial<SmartModuleInvocation> = {}): SmartModuleInvocation {
  return {
    name: typeof module === 'string' ? module : null,
    wasm: typeof module === 'string' ? null : Buffer.from(module),
    kind: null, params: {}, lookbackLast: -1, lookbackAgeMs: -1, initialAccumulator: null, version: -1,
    ...over,
  };
}

export async function createTopic(client: RawClient, name: string, over: Parameters<typeof topicSpec>[0] = {}): Promise<void> {
  const r = await client.request('CreateTopic', { name, spec: topicSpec(over), dryRun: false });
  assert.equal(r.errorCode, ErrorCode.None, r.errorMessage ?? '');
}

export async function register(client: RawClient, name: string, wasm: Uint8Array): Promise<void> {
  const r = await client.request('CreateSmartModule', { name, version: '0.1.0', description: '', wasm: Buffer.from(wasm) });
  assert.equal(r.errorCode, ErrorCode.None, r.errorMessage ?? '');
}

type Batch = string[] | { values: string[]; timestamp?: number; compression?: 0 | 1 | 2 | 3 | 4; keys?: string[] };

/** Produces each entry as one batch (all in one request); returns the partition's result. */
export async function produce(client: RawClient, topic: string, batches: Batch[], smartmodules: SmartModuleInvocation[] = []) {
  const records = Buffer.concat(batches.map((b) => (Array.isArray(b) ? batchOf(b) : batchOf(b.values, b))));
  const r = await client.request('Produce', { acks: 1, timeoutMs: 5000, smartmodules, topics: [{ name: topic, partitions: [{ partition: 0, records }] }] });
  return r.topics[0].partitions[0];
}

/** Reads a stream from the beginning to the end of the log (stopAtEnd). */
export async function readAll(client: RawClient, topic: string, smartmodules: SmartModuleInvocation[], over: Partial<StreamFetchRequest> = {}): Promise<StreamFetchResponse[]> {
  return client.stream({ topic, startKind: OffsetStart.Beginning, stopAtEnd: true, smartmodules, ...over }).collect(undefined, 10_000);
}

export function values(responses: StreamFetchResponse[], from = 0): string[] {
  return streamRecords(responses, from).map((r) => r.value);
}

/** Asserts a stream ended cleanly; returns its last response. */
export function endedOk(responses: StreamFetchResponse[]): StreamFetchResponse {
  const last = responses.at(-1)!;
  for (const r of responses) assert.equal(r.errorCode, ErrorCode.None, r.errorMessage ?? '');
  assert.equal(last.endOfStream, true);
  return last;
}
