// Graphs from the Hub, against a real docker-registry and Eddy's token service: an Azure-style
// graph YAML whose modules are all registry references is tested and applied without local
// module files, and a graph definition is itself applied by registry reference.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startLocalHub, type LocalHub } from '@eddy/hub';
import { wat2wasm, IDENTITY_MAP_WAT, ODD_WAT } from '../../dataflow/test/wat_operators.ts';
import { identOddYaml } from '../../dataflow/test/graph_yaml.ts';
import { eddy, ok, oneLineError, tempHome } from './helpers.ts';

const tmp = tempHome();
const alice = path.join(tmp, 'alice');
const bob = path.join(tmp, 'bob');
let hub: LocalHub;
let registry = '';
// EDDY_HUB is cleared so only --registry (or what a login recorded) names the hub.
const as = (home: string) => (args: string[]) => eddy(args, { home, env: { EDDY_HUB: '' }, timeoutMs: 60_000 });
const file = (name: string) => path.join(tmp, name);

// The test graph with every module referenced by registry name, Azure-style.
const AZURE = identOddYaml('odd values')
  .replace('"ident:1.0.0"', '"azure-samples/explore-iot-operations/ident:1.0.0"')
  .replace('"odd:2.0.0"', '"azure-samples/explore-iot-operations/odd:2.0.0"');

before(async () => {
  hub = await startLocalHub({ dir: path.join(tmp, 'hub') });
  registry = hub.registryUrl;
  fs.writeFileSync(file('ident.wasm'), wat2wasm(IDENTITY_MAP_WAT));
  fs.writeFileSync(file('odd.wasm'), wat2wasm(ODD_WAT));
  fs.writeFileSync(file('azure.yaml'), AZURE);
  fs.writeFileSync(file('input.jsonl'), ['1', '2', '3', '4', '5'].map((v, i) => JSON.stringify({ timestamp: 1000 + i, payload: v })).join('\n') + '\n');
});

after(async () => {
  await as(bob)(['cluster', 'stop']);
  await hub?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

test('publish graph modules and a graph definition; test and apply them by registry reference, without local files', async () => {
  const a = as(alice);
  const b = as(bob);
  ok(await a(['hub', 'login', '--owner', 'alice', '--hub', registry]));
  const pub = ok(await a(['graph', 'publish', file('ident.wasm'), 'azure-samples/explore-iot-operations/ident:1.0.0', '--public']));
  assert.match(pub.stdout, /^published explore-iot-operations\/ident@1\.0\.0 \(graph-module, public\) to http:\/\/127\.0\.0\.1:\d+ as sha256:[0-9a-f]{64}\n$/);
  ok(await a(['graph', 'publish', file('odd.wasm'), 'explore-iot-operations/odd@2.0.0', '--public']));
  ok(await a(['graph', 'publish', file('azure.yaml'), 'explore-iot-operations/odd-graph@1.0.0', '--public']));
  // A file that is no graph module is refused before anything is pushed.
  fs.writeFileSync(file('plain.wasm'), wat2wasm('(module)'));
  assert.match(oneLineError(await a(['graph', 'publish', file('plain.wasm'), 'explore-iot-operations/plain@1.0.0'])), /is not a graph operator module/);

  // Bob has no hub recorded and no module files: --registry names the hub.
  const first = await b(['graph', 'test', file('azure.yaml'), '--input', file('input.jsonl'), '--registry', registry]);
  assert.equal(first.code, 0, first.stderr);
  assert.deepEqual(first.stdout.trim().split('\n').map((l) => JSON.parse(l).payload), [1, 3, 5]);
  assert.match(first.stderr, /^module ident:1\.0\.0 fetched: explore-iot-operations\/ident@1\.0\.0 \(sha256:[0-9a-f]{12}\) from http/m);
  assert.match(first.stderr, /^module odd:2\.0\.0 fetched: explore-iot-operations\/odd@2\.0\.0 /m);
  // Cached by digest: the second run fetches nothing.
  const second = ok(await b(['graph', 'test', file('azure.yaml'), '--input', file('input.jsonl'), '--registry', registry]));
  assert.equal(second.stdout, first.stdout);
  assert.match(second.stderr, /^module ident:1\.0\.0 from the cache: /m);
  assert.doesNotMatch(second.stderr, /fetched/);

  // Without a registry the references are left to the cluster, as before.
  const noHub = await b(['graph', 'test', file('azure.yaml'), '--input', file('input.jsonl')]);
  assert.equal(noHub.code, 1);
  assert.match(noHub.stderr, /module "azure-samples\/explore-iot-operations\/ident:1\.0\.0" not found|module "ident:1\.0\.0" not found/);

  // The definition itself by reference (no file of that name exists).
  const byRef = ok(await b(['graph', 'validate', 'azure-samples/explore-iot-operations/odd-graph:1.0.0', '--registry', registry]));
  assert.equal(byRef.stdout, 'azure-samples/explore-iot-operations/odd-graph:1.0.0: valid (4 operations)\n');
  assert.match(byRef.stderr, /^graph explore-iot-operations\/odd-graph@1\.0\.0 fetched /m);

  ok(await b(['cluster', 'start', '--port', '0', '--metrics-port', '-1']));
  ok(await b(['topic', 'create', 'readings', '-p', '2']));
  ok(await b(['topic', 'create', 'odd-readings']));
  const applied = await b(['graph', 'apply', 'explore-iot-operations/odd-graph@1.0.0', '--registry', registry, '--source', 'readings', '--sink', 'odd-readings']);
  assert.equal(applied.code, 0, applied.stderr);
  assert.equal(applied.stdout, 'module ident:1.0.0 registered\nmodule odd:2.0.0 registered\ngraph "odd-graph" created (4 operations)\n');
  assert.match(applied.stderr, /^graph explore-iot-operations\/odd-graph@1\.0\.0 from the cache /m, 'validate fetched it');
  const mods = ok(await b(['smartmodule', 'list'])).stdout;
  assert.match(mods, /^odd\s+2\.0\.0\s+graph operator/m);
  const [g] = JSON.parse(ok(await b(['graph', 'list', '-O', 'json'])).stdout);
  assert.equal(g.name, 'odd-graph');
  assert.match(g.spec.definition, /azure-samples\/explore-iot-operations\/odd:2\.0\.0/);

  // Bad input is one line: a package that is not there, a malformed reference, a private package.
  assert.match(oneLineError(await b(['graph', 'apply', 'explore-iot-operations/nope@1.0.0', '--registry', registry, '--source', 'readings', '--sink', 'odd-readings'])),
    /^error: (explore-iot-operations\/nope@1\.0\.0 is not on the hub|not allowed to fetch explore-iot-operations\/nope:1\.0\.0)/);
  assert.match(oneLineError(await b(['graph', 'test', 'acme/Graph:1.0.0', '--input', file('input.jsonl'), '--registry', registry])), /^error: module reference 'acme\/Graph:1\.0\.0' does not name a Hub package: name 'Graph' must use lowercase/);
  ok(await a(['graph', 'publish', file('odd.wasm'), 'explore-iot-operations/secret@1.0.0']));
  fs.writeFileSync(file('secret.yaml'), AZURE.replace('explore-iot-operations/odd:2.0.0', 'explore-iot-operations/secret:1.0.0'));
  assert.match(oneLineError(await b(['graph', 'test', file('secret.yaml'), '--input', file('input.jsonl'), '--registry', registry])), /^error: explore-iot-operations\/secret@1\.0\.0 is not on the hub .*\(or you may not read it\)|not allowed/);
  // Alice owns it: her recorded hub is used without --registry.
  const own = ok(await a(['graph', 'test', file('secret.yaml'), '--input', file('input.jsonl')]));
  assert.deepEqual(own.stdout.trim().split('\n').map((l) => JSON.parse(l).payload), [1, 3, 5]);
});
