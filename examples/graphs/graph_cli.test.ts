// `eddy graph test` on Azure's complex graph (unmodified) with an expected file in Azure's test
// runner shape: one JSON document whose payload is JSON text with Rust floats (85.0), checked by
// value, with the fields Azure's t02 test ignores left out. A wrong value fails (exit 1).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { GRAPHS_DIR, moduleNames, moduleWasm } from './build.ts';

const ROOT = path.resolve(GRAPHS_DIR, '..', '..');
const EXPECTED = 'examples/graphs/data/azure-expected.json';

function graphTest(expected: string, ignores: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const args = [
    'packages/cli/bin/eddy.ts', 'graph', 'test', 'examples/graphs/azure/graph-complex.yaml',
    '--input', 'examples/graphs/data/azure-sensors.jsonl', '--modules', 'examples/graphs/modules', '--expected', expected,
    ...ignores.flatMap((i) => ['--ignore', i]),
  ];
  return new Promise((resolve) => {
    execFile(process.execPath, args, { cwd: ROOT }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}

test('eddy graph test runs azure/graph-complex.yaml against an Azure-style expected file, by value and with ignores', async () => {
  // The CLI reads the built modules: build them first (a clean checkout has none).
  for (const name of moduleNames()) await moduleWasm(name);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'eddy-graph-cli-'));
  try {
    const doc = JSON.parse(readFileSync(path.join(ROOT, EXPECTED), 'utf8')) as { payload: string };
    const wrong = path.join(dir, 'wrong.json');
    writeFileSync(wrong, JSON.stringify({ payload: doc.payload.replace('"count":1,"max":85.0', '"count":2,"max":85.0') }, null, 2));

    const [good, unignored, bad] = await Promise.all([
      graphTest(EXPECTED, ['payload.object']),
      graphTest(EXPECTED, []), // the output also has "object": [] that the file leaves out
      graphTest(wrong, ['payload.object']),
    ]);
    assert.equal(good.code, 0, good.stderr);
    assert.match(good.stdout, /graph-complex\.yaml: passed \(1 output message as expected\)/);
    assert.equal(unignored.code, 1, unignored.stdout);
    assert.equal(bad.code, 1, bad.stderr);
    assert.match(bad.stderr, /output 1/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
