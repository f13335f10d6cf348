// A real broker for the client's tests: started in-process on an ephemeral port in a temp dir.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startBroker, type Broker } from '@eddy/broker';

export interface TestCluster {
  readonly dataDir: string;
  readonly port: number;
  readonly endpoint: string;
  /** Clean shutdown then start again on the same data dir and port (clients see the broker go away). */
  restart(): Promise<void>;
  /** Stops the broker (keeps the data). */
  stop(): Promise<void>;
  /** Stops the broker and removes the data. */
  close(): Promise<void>;
}

/** `retentionCheckMs`: how often the broker enforces retention (default 0: never). */
export async function startCluster(opts: { retentionCheckMs?: number } = {}): Promise<TestCluster> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'eddy-client-test-'));
  const retentionCheckMs = opts.retentionCheckMs ?? 0;
  const start = (port: number) => startBroker({ dataDir, host: '127.0.0.1', port, metricsPort: -1, logger: { level: 'silent' }, retentionCheckMs });
  let broker: Broker | null = await start(0);
  const port = broker.port;
  return {
    dataDir,
    port,
    endpoint: `127.0.0.1:${port}`,
    async restart() {
      await broker?.close();
      broker = null;
      broker = await start(port);
    },
    async stop() {
      await broker?.close();
      broker = null;
    },
    async close() {
      await broker?.close();
      broker = null;
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
