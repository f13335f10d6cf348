// Smoke of the benchmark tools: they start, produce against a real broker, and print a table and
// valid JSON. Figures are never asserted (a shared 2-core CI box makes them meaningless here).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { launchBroker } from '../packages/broker/test/support/launcher.ts';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../', import.meta.url));
const BENCH = join(ROOT, 'packages/cli/bin/eddy.ts');

test('eddy bench producer runs against a real broker (table and JSON)', async () => {
  const broker = await launchBroker({ logger: { level: 'warn', stderr: true } });
  try {
    const endpoint = broker.endpoint;
    const common = ['--endpoint', endpoint, 'bench', 'producer', '--num-records', '2000', '--record-size', '64', '--producers', '2', '--broker-pid', String(process.pid)];
    const json = await run(process.execPath, [BENCH, ...common, '-O', 'json'], { cwd: ROOT, timeout: 60_000 });
    const report = JSON.parse(json.stdout) as Record<string, unknown>;
    assert.equal(report.mode, 'producer');
    assert.equal(report.records, 2000);
    assert.equal(report.bytes, 2000 * 64);
    assert.equal(typeof report.recordsPerSec, 'number');
    assert.equal(report.temporaryTopic, true);
    const latency = report.latency as Record<string, number>;
    for (const k of ['p50', 'p95', 'p99', 'p999', 'max']) assert.equal(typeof latency[k], 'number', `latency.${k}`);
    assert.equal(typeof (report.brokerRss as Record<string, unknown>).peakMb, 'number');

    const table = await run(process.execPath, [BENCH, ...common, '--no-progress'], { cwd: ROOT, timeout: 60_000 });
    assert.match(table.stdout, /records\/s/);
    assert.match(table.stdout, /p99\.9/);
    assert.match(table.stdout, /broker RSS/);
  } finally {
    await broker.close();
  }
});

test('eddy bench rejects a bad option with a one-line error', async () => {
  await assert.rejects(
    run(process.execPath, [BENCH, '--endpoint', '127.0.0.1:1', 'bench', 'producer', '--record-size', 'lots'], { cwd: ROOT, timeout: 30_000 }),
    (err: { code: number; stderr: string }) => {
      assert.notEqual(err.code, 0);
      assert.match(err.stderr, /--record-size/);
      return true;
    },
  );
});

test('bench:peers --smoke prints one table and writes valid JSON and SVG', async () => {
  const out = mkdtempSync(join(tmpdir(), 'eddy-bench-peers-test-'));
  try {
    const r = await run(process.execPath, [join(ROOT, 'bench/peers.ts'), '--smoke', '--out', out], { cwd: ROOT, timeout: 240_000, maxBuffer: 16 * 1024 * 1024 });
    assert.match(r.stdout, /figure/);
    assert.match(r.stdout, /Eddy/);
    const results = JSON.parse(readFileSync(join(out, 'latest.json'), 'utf8')) as {
      format: string;
      systems: { name: string; unavailable?: string }[];
      figures: { id: string; cells: Record<string, { value?: number; unavailable?: string }> }[];
    };
    assert.equal(results.format, 'eddy-bench-peers/1');
    const produce = results.figures.find((f) => f.id === 'produce100');
    assert.equal(typeof produce?.cells.Eddy?.value, 'number', `Eddy produced: ${JSON.stringify(produce?.cells.Eddy)}`);
    // The connector figures are in the same run, each next to its baseline: a value or a reason.
    for (const [id, baseline] of [['mqttIngest', 'Mosquitto'], ['sqlSink', 'PostgreSQL (plain pg client)']]) {
      const f = results.figures.find((x) => x.id === id);
      assert.ok(f, `figure ${id} in the results`);
      for (const system of ['Eddy', baseline]) {
        const c = f.cells[system];
        assert.ok(typeof c?.value === 'number' || (typeof c?.unavailable === 'string' && c.unavailable.length > 0), `${id}/${system}: ${JSON.stringify(c)}`);
      }
      assert.deepEqual(Object.keys(f.cells).sort(), ['Eddy', baseline].sort(), `${id} is measured against its baseline only`);
    }
    // Every peer (and baseline) either ran or said clearly why not.
    for (const s of results.systems) {
      if (s.name === 'Eddy') continue;
      if (s.unavailable) assert.match(r.stdout, new RegExp(`peer ${s.name.replace(/[()]/g, '\\$&')} unavailable: `));
      else assert.ok(results.figures.some((f) => typeof f.cells[s.name]?.value === 'number'), `${s.name} measured its figures`);
    }
    assert.match(readFileSync(join(out, 'latest.svg'), 'utf8'), /^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
