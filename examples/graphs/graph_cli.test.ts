// `eddy graph test` on the complex example, as the README tells users to run it: it passes
// against the committed expected output (exit 0) and fails on a wrong one (exit 1).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { GRAPHS_DIR, moduleNames, moduleWasm } from './build.ts';

const ROOT = path.resolve(GRAPHS_DIR, '..', '..');
const EXPECTED = 'examples/graphs/data/expected-complex.jsonl';

function graphTest(expected: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const args = [
    'packages/cli/bin/eddy.ts', 'graph', 'test', 'examples/graphs/graph-complex.yaml',
    '--input', 'examples/graphs/data/sensors.jsonl', '--timestamp-field', 'time', '--key-field', 'sensor_id', '--partitions', '3',
    '--modules', 'examples/graphs/modules', '--state', 'factory=north', '--allowed-lateness', '2s', '--expected', expected,
  ];
  return new Promise((resolve) => {
    execFile(process.execPath, args, { cwd: ROOT }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}

test('eddy graph test graph-complex.yaml passes against data/expected-complex.jsonl and fails on a wrong expectation', async () => {
  // The CLI reads the built modules: build them first (a clean checkout has none).
  for (const name of moduleNames()) await moduleWasm(name);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'eddy-graph-cli-'));
  try {
    // The same file with one summary changed: partition 1's second window had 9 temperatures.
    const lines = readFileSync(path.join(ROOT, EXPECTED), 'utf8').trimEnd().split('\n');
    const doc = JSON.parse(lines[7]);
    assert.equal(doc.payload.temperature.count, 9);
    doc.payload.temperature.count = 10;
    lines[7] = JSON.stringify(doc);
    const wrong = path.join(dir, 'wrong.jsonl');
    writeFileSync(wrong, `${lines.join('\n')}\n`);

    const [good, bad] = await Promise.all([graphTest(EXPECTED), graphTest(wrong)]);
    assert.equal(good.code, 0, good.stderr);
    assert.match(good.stdout, /graph-complex\.yaml: passed \(18 output messages as expected\)/);
    assert.equal(bad.code, 1, bad.stderr);
    assert.match(bad.stderr, /output 8: expected .*"count":10.*got .*"count":9/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
