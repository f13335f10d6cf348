// The broker process that the root graph tests restart: by SIGTERM (a clean stop, graphs
// checkpoint) or SIGKILL (a crash), on the same data dir and port, its log in the data dir.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, spawnBroker, type BrokerProcess } from '../packages/broker/test/support/launcher.ts';
import { brokerLaunch } from '../packages/cli/src/cluster/local_cluster.ts';
import { Eddy } from '@eddy/client';

/**
 * Graph checkpoints on the interval never come within a test's run: what a kill -9 leaves is
 * decided by the checkpoints at a clean stop and after each life's first output write.
 */
export const CHECKPOINT_AT_STOP_ONLY = ['--graph-checkpoint-ms', '3600000'];

export class Cluster {
  broker!: BrokerProcess;
  eddy!: Eddy;
  readonly dataDir: string;
  private port = 0;
  private readonly args: string[];
  constructor(prefix: string, args: string[] = CHECKPOINT_AT_STOP_ONLY) {
    this.dataDir = mkdtempSync(join(tmpdir(), prefix));
    this.args = args;
  }
  async start(): Promise<this> {
    this.port ||= await freePort();
    // As users run it (the bundle when current), its log in the data dir.
    this.broker = await spawnBroker({
      entry: brokerLaunch().args, dataDir: this.dataDir, port: this.port, logFile: join(this.dataDir, 'broker.log'),
      args: this.args, stderr: 'inherit',
    });
    this.eddy = await Eddy.connect({ endpoint: `127.0.0.1:${this.port}` });
    return this;
  }
  /** SIGTERM: a clean stop (graphs checkpoint); SIGKILL: a crash. Then start again. */
  async restart(signal: 'SIGTERM' | 'SIGKILL'): Promise<void> {
    await this.eddy.close();
    await this.broker.kill(signal);
    await this.start();
  }
  async count(topic: string): Promise<number> {
    return (await this.eddy.admin().listOffsets(topic)).reduce((n, p) => n + p.highWatermark - p.logStartOffset, 0);
  }
  /** Waits until `topic` holds at least `n` records; returns how many it holds. */
  async waitFor(topic: string, n: number, timeoutMs = 60_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    while ((await this.count(topic)) < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const have = await this.count(topic);
    assert.ok(have >= n, `at least ${n} records in ${topic} (${have})`);
    return have;
  }
  /** The broker log's 'graph instance started' lines, in order, over every life so far. */
  instanceStarts(): { partition: number; positions: Record<string, number>; alreadyInSink: number; alreadyInLate: number }[] {
    return readFileSync(join(this.dataDir, 'broker.log'), 'utf8').split('\n')
      .filter((l) => l.includes('graph instance started'))
      .map((l) => JSON.parse(l) as { partition: number; positions: Record<string, number>; alreadyInSink: number; alreadyInLate: number });
  }
  async close(): Promise<void> {
    await this.eddy.close().catch(() => {});
    await this.broker.stop();
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}
