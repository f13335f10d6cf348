// `eddy smartmodule create --abi-version N`: a module built for an older SmartModule ABI (a
// Fluvio module from before ABI 22) is registered with its version, and every stream naming it
// gets that version. MAP_META turns each record into the ABI version it was called with.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { MAP_META } from '../../smartengine/test/wat_modules.ts';
import { eddy, ok, oneLineError, tempHome, jsonLines } from './helpers.ts';

const home = tempHome();
const run = (args: string[], input?: string) => eddy(args, { home, input, timeoutMs: 60_000 });
const wasmFile = path.join(home, 'map-meta.wasm');

before(async () => {
  fs.writeFileSync(wasmFile, MAP_META);
  ok(await run(['cluster', 'start', '--port', '0', '--metrics-port', '-1']));
  ok(await run(['topic', 'create', 'events']));
  ok(await run(['produce', 'events'], 'a\nb\n'));
});

after(async () => {
  await run(['cluster', 'stop']);
  fs.rmSync(home, { recursive: true, force: true });
});

/** The ABI version each record of `events` was transformed at, through `flags`. */
async function versionsThrough(flags: string[]): Promise<number[]> {
  const out = ok(await run(['consume', 'events', '-B', '-d', '-O', 'json', '--json-bytes', 'base64', ...flags])).stdout;
  return jsonLines(out).map((r) => Buffer.from((r as { value: string }).value, 'base64').readUInt32BE(16));
}

test('create --abi-version 21: list and describe show it, and a stream naming the module only gets 21', async () => {
  assert.match(ok(await run(['smartmodule', 'create', 'old-meta', '--wasm-file', wasmFile, '--abi-version', '21'])).stdout,
    /^smartmodule "old-meta" created \(version 0\.1\.0, [\d.]+ (B|KiB), ABI version 21\)\n$/);
  ok(await run(['smartmodule', 'create', 'new-meta', '--wasm-file', wasmFile]));

  assert.deepEqual(await versionsThrough(['--smartmodule', 'old-meta']), [21, 21]);
  assert.deepEqual(await versionsThrough(['--smartmodule', 'new-meta']), [25, 25], 'none recorded: the newest');

  const listed = JSON.parse(ok(await run(['smartmodule', 'list', '-O', 'json'])).stdout) as { name: string; spec: { abiVersion: number | null } }[];
  assert.deepEqual(listed.map((m) => [m.name, m.spec.abiVersion]), [['new-meta', null], ['old-meta', 21]]);
  const table = ok(await run(['smartmodule', 'list'])).stdout.split('\n');
  assert.match(table[0], /^NAME\s+VERSION\s+KIND\s+ABI\s+SIZE\s+SHA256$/);
  assert.match(table.find((l) => l.startsWith('old-meta'))!, /^old-meta\s+0\.1\.0\s+smartmodule\s+21\s/);
  assert.match(table.find((l) => l.startsWith('new-meta'))!, /^new-meta\s+0\.1\.0\s+smartmodule\s+default\s/);
  assert.match(ok(await run(['smartmodule', 'describe', 'old-meta'])).stdout, /^ABI version\s+21$/m);
});

test('--abi-version outside the engine\'s range: golden one-line errors, nothing registered', async () => {
  assert.equal(oneLineError(await run(['smartmodule', 'create', 'bad', '--wasm-file', wasmFile, '--abi-version', '12'])),
    "error: invalid ABI version 12 of 'bad:0.1.0': SmartModule ABI versions are 16 to 25");
  assert.equal(oneLineError(await run(['smartmodule', 'create', 'bad', '--wasm-file', wasmFile, '--abi-version', 'new'])),
    "error: option '--abi-version <n>' argument 'new' is invalid. 'new' is not a whole number");
  assert.doesNotMatch(ok(await run(['smartmodule', 'list'])).stdout, /^bad\s/m);
});
