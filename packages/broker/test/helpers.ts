// Shared test scaffolding: a broker from the test launcher with a raw client on it.
import type { Broker, BrokerOptions } from '../src/mod.ts';
import { RawClient } from './raw_client.ts';
import { launchBroker } from './support/launcher.ts';

export interface TestBroker {
  broker: Broker;
  client: RawClient;
  dataDir: string;
}

export async function withBroker(fn: (t: TestBroker) => Promise<void>, opts: Partial<BrokerOptions> = {}): Promise<void> {
  const launched = await launchBroker(opts);
  const client = await RawClient.connect(launched.port);
  try {
    await fn({ broker: launched.broker, client, dataDir: launched.dataDir });
  } finally {
    await client.close();
    await launched.close();
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
