// Shared test scaffolding: a real broker on 127.0.0.1:0 in a temp dir, and a raw client.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBroker } from '../src/index.ts';
import type { Broker, BrokerOptions } from '../src/index.ts';
import { RawClient } from './raw_client.ts';

export interface TestBroker {
  broker: Broker;
  client: RawClient;
  dataDir: string;
}

export async function withBroker(fn: (t: TestBroker) => Promise<void>, opts: Partial<BrokerOptions> = {}): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'eddy-broker-test-'));
  const broker = await startBroker({ dataDir, port: 0, metricsPort: -1, logger: { level: 'silent' }, ...opts });
  const client = await RawClient.connect(broker.port);
  try {
    await fn({ broker, client, dataDir });
  } finally {
    await client.close();
    await broker.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls `check` until it returns true (or throws after `timeoutMs`). */
export async function eventually(check: () => Promise<boolean> | boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}
