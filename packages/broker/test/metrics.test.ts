import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { OffsetStart } from '@eddy/protocol';
import { withBroker } from './helpers.ts';
import { batchOf, topicSpec } from './raw_client.ts';

/** `name{labels} value` lines of a Prometheus text exposition, keyed by `name{labels}`. */
function parse(text: string): Map<string, number> {
  const m = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const i = line.lastIndexOf(' ');
    m.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return m;
}

test('the metrics endpoint reports traffic, latency, partition sizes and connections', async () => {
  await withBroker(async ({ broker, client }) => {
    assert.ok(broker.metricsPort > 0);
    await client.request('CreateTopic', { name: 'metered', spec: topicSpec({ partitions: 2 }), dryRun: false });
    await client.request('Produce', { acks: 1, timeoutMs: 1000, smartmodules: [], topics: [{ name: 'metered', partitions: [{ partition: 0, records: batchOf(['a', 'b']) }] }] });
    await client.request('Produce', { acks: 1, timeoutMs: 1000, smartmodules: [], topics: [{ name: 'metered', partitions: [{ partition: 1, records: batchOf(['c'], { compression: 1 }) }] }] });
    for (const partition of [0, 1]) await client.stream({ topic: 'metered', partition, startKind: OffsetStart.Beginning, stopAtEnd: true }).collect();

    const res = await fetch(`http://127.0.0.1:${broker.metricsPort}/metrics`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/plain/);
    const m = parse(await res.text());
    assert.ok(m.get('eddy_bytes_in_total{topic="metered"}')! > 0);
    assert.equal(m.get('eddy_records_in_total{topic="metered"}'), 3);
    assert.ok(m.get('eddy_bytes_out_total{topic="metered"}')! > 0);
    assert.equal(m.get('eddy_records_out_total{topic="metered"}'), 3);
    assert.equal(m.get('eddy_request_duration_seconds_count{api="Produce"}'), 2);
    assert.equal(m.get('eddy_request_duration_seconds_count{api="CreateTopic"}'), 1);
    assert.ok(m.get('eddy_partition_size_bytes{topic="metered",partition="0"}')! > 0);
    assert.equal(m.get('eddy_partition_high_watermark{topic="metered",partition="0"}'), 2);
    assert.equal(m.get('eddy_partition_high_watermark{topic="metered",partition="1"}'), 1);
    assert.equal(m.get('eddy_connections'), 1);
    assert.ok(m.get('process_cpu_user_seconds_total')! > 0);
    assert.ok(m.has('nodejs_eventloop_lag_seconds'));
    // prom-client's histogram and default metrics (a hand-written exposition had neither of these).
    assert.equal(m.get('eddy_request_duration_seconds_bucket{le="+Inf",api="Produce"}'), 2);
    assert.ok(m.get('process_resident_memory_bytes')! > 0);
    assert.ok([...m.keys()].some((k) => k.startsWith('nodejs_version_info{')), 'prom-client default metric nodejs_version_info');
    assert.ok([...m.keys()].some((k) => k.startsWith('nodejs_gc_duration_seconds_count{')) || m.has('nodejs_heap_space_size_used_bytes{space="new"}'), 'prom-client default heap/gc metrics');

    assert.equal((await fetch(`http://127.0.0.1:${broker.metricsPort}/other`)).status, 404);
    await client.request('DeleteTopic', { name: 'metered' });
    const after = parse(await (await fetch(`http://127.0.0.1:${broker.metricsPort}/metrics`)).text());
    assert.ok(!after.has('eddy_partition_size_bytes{topic="metered",partition="0"}'));
    assert.ok(!after.has('eddy_bytes_in_total{topic="metered"}'));
  }, { metricsPort: 0 });
});

test('prom-client is loaded only when metrics are served or read; traffic counted before that is reported', () => {
  // A fresh process: which modules are loaded is per process.
  const index = new URL('../src/mod.ts', import.meta.url).href;
  const script = `
    import { createRequire } from 'node:module';
    import { mkdtempSync, rmSync } from 'node:fs';
    import { tmpdir } from 'node:os';
    import { join } from 'node:path';
    import { startBroker } from ${JSON.stringify(index)};
    const loaded = () => Object.keys(createRequire(import.meta.url).cache).some((k) => k.includes('/prom-client/'));
    const out = {};
    for (const metricsPort of [-1, 0]) {
      const dir = mkdtempSync(join(tmpdir(), 'eddy-metrics-'));
      const b = await startBroker({ dataDir: dir, port: 0, metricsPort, logger: { level: 'silent' } });
      out['started' + metricsPort] = loaded();
      b.metrics.produced('t', 0, 100, 7);
      const text = await b.metrics.registry.getSingleMetricAsString('eddy_records_in_total');
      out['read' + metricsPort] = loaded();
      out['records' + metricsPort] = text.split('\\n').find((l) => l.startsWith('eddy_records_in_total{topic="t"}')) ?? null;
      await b.close();
      rmSync(dir, { recursive: true, force: true });
    }
    process.stdout.write(JSON.stringify(out));
  `;
  const out = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' })) as Record<string, unknown>;
  assert.deepEqual(out, {
    'started-1': false,
    'read-1': true,
    'records-1': 'eddy_records_in_total{topic="t"} 7',
    started0: true,
    read0: true,
    records0: 'eddy_records_in_total{topic="t"} 7',
  });
});
