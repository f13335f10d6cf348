// Memory under connection churn: clients that send bad input and go away must leave nothing
// behind. Before the fix each such connection (socket, frame reader, 64 KiB scratch) stayed alive
// for the 2 s close grace period after its peer had gone, and RSS kept what malloc had handed out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BROKER_MAIN, spawnBroker } from './support/launcher.ts';
import { churnBadConnections, rssBytes } from './support/bad_churn.ts';
import { RawClient } from './raw_client.ts';

const MIB = 1024 * 1024;
const CONCURRENCY = 50;
/**
 * Warm-up: enough connections for V8 to grow its heap to the working size of this load, so that
 * what is measured after it is what the churn itself keeps.
 */
const WARM_UP = 5_000;
const CHURN = 20_000;
/**
 * 40 MiB: with nothing retained the figure stays within a few MiB of noise (V8 page pool and
 * malloc arenas fluctuate by ~10-20 MiB); each connection retained even briefly costs ~10 KiB of
 * heap plus its scratch buffer, so 20,000 connections held or fragmented would exceed it.
 */
const MAX_GROWTH = 40 * MIB;

test('20,000 connections that send bad input and go away do not grow the broker RSS', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'eddy-churn-'));
  // V8 grows its young generation up to 3 x 16 MiB under a high allocation rate and keeps the
  // pages: 60-90 MiB of RSS that clients sending nothing at all cost as well. That is V8's sizing
  // policy (an operator's NODE_OPTIONS), not what this test is about, so it is pinned small here.
  const broker = await spawnBroker({ dataDir, entry: ['--max-semi-space-size=1', BROKER_MAIN], args: ['--log-level', 'error'] });
  try {
    const pid = broker.proc.pid!;
    await churnBadConnections(broker.port, WARM_UP, CONCURRENCY);
    const before = rssBytes(pid);
    await churnBadConnections(broker.port, CHURN, CONCURRENCY);
    const after = rssBytes(pid);
    const growth = after - before;
    assert.ok(growth < MAX_GROWTH, `RSS grew by ${(growth / MIB).toFixed(1)} MiB (${(before / MIB).toFixed(1)} → ${(after / MIB).toFixed(1)} MiB) over ${CHURN} bad connections`);
    // The broker still serves a well-behaved client.
    const client = await RawClient.connect(broker.port);
    try {
      const res = await client.request('ListTopics', { names: [] });
      assert.ok(Array.isArray(res.topics));
    } finally {
      await client.close();
    }
  } finally {
    await broker.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
