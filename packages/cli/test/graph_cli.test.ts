// `eddy graph` end to end: offline validate and test, then apply/list/describe/delete against a
// real broker process (`eddy cluster start`), with local graph operator modules uploaded by apply.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { wat2wasm, IDENTITY_MAP_WAT, ODD_WAT } from '../../dataflow/test/wat_operators.ts';
import { eddy, ok, oneLineError, tempHome } from './helpers.ts';
import { identOddYaml } from '../../dataflow/test/graph_yaml.ts';

const home = tempHome();
const run = (args: string[], input?: string) => eddy(args, { home, input, timeoutMs: 60_000 });
const dir = path.join(home, 'graphs');
const modulesDir = path.join(dir, 'modules');
const file = (name: string) => path.join(dir, name);

const DEFINITION = identOddYaml('odd values');

before(async () => {
  fs.mkdirSync(path.join(modulesDir, 'ident', 'build'), { recursive: true });
  fs.writeFileSync(path.join(modulesDir, 'ident', 'build', 'ident.wasm'), wat2wasm(IDENTITY_MAP_WAT));
  fs.writeFileSync(path.join(modulesDir, 'odd-2.0.0.wasm'), wat2wasm(ODD_WAT));
  fs.writeFileSync(file('odd.yaml'), DEFINITION);
  // Two errors: an unknown connection target, and a module reference without a version.
  fs.writeFileSync(file('broken.yaml'), DEFINITION.replace('to: { name: "sink" }', 'to: { name: "snk" }').replace('"odd:2.0.0"', '"odd"'));
  fs.writeFileSync(file('input.jsonl'), ['1', '2', '3', '4', '5'].map((v, i) => JSON.stringify({ timestamp: 1000 + i, payload: v })).join('\n') + '\n');
  fs.writeFileSync(file('expected.jsonl'), [{ payload: 1 }, { payload: 3 }, { payload: 5 }].map((o) => JSON.stringify(o)).join('\n') + '\n');
  fs.writeFileSync(file('wrong.jsonl'), [{ payload: 1 }, { payload: 2 }].map((o) => JSON.stringify(o)).join('\n') + '\n');
});

after(async () => {
  await run(['cluster', 'stop']);
  fs.rmSync(home, { recursive: true, force: true });
});

test('validate: valid, every error line (golden), modules from --modules and --module, notes for missing ones', async () => {
  const valid = ok(await run(['graph', 'validate', file('odd.yaml'), '--modules', modulesDir]));
  assert.equal(valid.stdout, `${file('odd.yaml')}: valid (4 operations)\n`);
  assert.equal(valid.stderr, '');

  const broken = await run(['graph', 'validate', file('broken.yaml')]);
  assert.equal(broken.code, 1);
  assert.equal(broken.stdout, '');
  const f = file('broken.yaml');
  assert.equal(broken.stderr, [
    'note: modules not checked (give --module NAME:VERSION=PATH or --modules DIR)',
    `warning: ${f}:9:11: operations[0].name: "source" has no path to the sink "sink": its output is dropped`,
    `warning: ${f}:11:11: operations[1].name: "pass" has no path to the sink "sink": its output is dropped`,
    `warning: ${f}:14:11: operations[2].name: "odd" has no path to the sink "sink": its output is dropped`,
    `${f}:15:13: operations[2].module: "odd" is not a module reference of the form name:version`,
    `${f}:17:11: operations[3].name: "sink" has no input: no connection leads to it`,
    `${f}:24:17: connections[2].to.name: unknown operation "snk"`,
  ].join('\n') + '\n');

  // A module file that lacks the operator type: map given a filter-only module.
  const wrong = await run(['graph', 'validate', file('odd.yaml'), '--module', `ident:1.0.0=${path.join(modulesDir, 'odd-2.0.0.wasm')}`, '--module', `odd:2.0.0=${path.join(modulesDir, 'odd-2.0.0.wasm')}`]);
  assert.equal(wrong.code, 1);
  assert.equal(wrong.stderr, `${file('odd.yaml')}:10:20: operations[1].operationType: module "ident:1.0.0" does not provide map (it provides branch, filter)\n`);

  // Only ident is found locally: odd's check is skipped with a note, the rest still validates.
  const partial = ok(await run(['graph', 'validate', file('odd.yaml'), '--module', `ident:1.0.0=${path.join(modulesDir, 'ident', 'build', 'ident.wasm')}`]));
  assert.match(partial.stdout, /valid \(4 operations\)/);
  assert.equal(partial.stderr, 'note: module odd:2.0.0 not found locally: its operator types were not checked\n');

  // With --modules, a module missing from the directory is an error (a typo would fail apply later).
  fs.writeFileSync(file('typo.yaml'), DEFINITION.replace('"odd:2.0.0"', '"od:2.0.0"'));
  assert.equal(oneLineError(await run(['graph', 'validate', file('typo.yaml'), '--modules', modulesDir])),
    `error: module od:2.0.0 not found in '${modulesDir}' (looked for od-2.0.0.wasm, od/build/od.wasm, od.wasm); did you mean 'odd'?`);

  assert.match(oneLineError(await run(['graph', 'validate', file('missing.yaml')])), /^error: cannot read graph definition '.*missing\.yaml': no such file$/);
  assert.match(oneLineError(await run(['graph', 'validate', file('odd.yaml'), '--module', 'ident=x.wasm'])), /--module 'ident=x\.wasm' must be NAME:VERSION=PATH/);
  assert.match(oneLineError(await run(['graph', 'validate', file('odd.yaml'), '--param', 'novalue'])), /--param 'novalue' must be OPERATION\.KEY=VALUE/);
});

test('test: runs the graph in-process; --expected passes and fails', async () => {
  const out = ok(await run(['graph', 'test', file('odd.yaml'), '--input', file('input.jsonl'), '--modules', modulesDir]));
  assert.deepEqual(out.stdout.trim().split('\n').map((l) => JSON.parse(l).payload), [1, 3, 5]);
  const pass = ok(await run(['graph', 'test', file('odd.yaml'), '--input', file('input.jsonl'), '--expected', file('expected.jsonl'), '--modules', modulesDir]));
  assert.match(pass.stdout, /passed \(3 output messages as expected\)/);
  const fail = await run(['graph', 'test', file('odd.yaml'), '--input', file('input.jsonl'), '--expected', file('wrong.jsonl'), '--modules', modulesDir]);
  assert.equal(fail.code, 1);
  assert.equal(fail.stderr, `${file('wrong.jsonl')}: output 2: payload: expected 2, got 3\n`
    + `${file('wrong.jsonl')}: unexpected output 3: {"partition":0,"seq":2,"timestamp":"1970-01-01T00:00:01.004000000Z","counter":0,"node":0,"payload":5}\n${file('wrong.jsonl')}: 3 output messages, expected 2\n`);
  const noModules = await run(['graph', 'test', file('odd.yaml'), '--input', file('input.jsonl')]);
  assert.equal(noModules.code, 1);
  assert.equal(noModules.stderr, `${file('odd.yaml')}:12:13: operations[1].module: module "ident:1.0.0" not found\n${file('odd.yaml')}:15:13: operations[2].module: module "odd:2.0.0" not found\n`);
  assert.match(oneLineError(await run(['graph', 'test', file('odd.yaml'), '--input', file('missing.jsonl'), '--modules', modulesDir])), /^error: cannot read input '.*missing\.jsonl': no such file$/);
});

test('apply, list, describe, delete against a broker process', async () => {
  ok(await run(['cluster', 'start', '--port', '0', '--metrics-port', '-1']));
  ok(await run(['topic', 'create', 'readings', '-p', '2']));
  ok(await run(['topic', 'create', 'odd-readings']));

  // Without modules on the cluster or locally, the broker's validator names the YAML path.
  const unknown = await run(['graph', 'apply', file('odd.yaml'), '--source', 'readings', '--sink', 'odd-readings']);
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, new RegExp(`^${file('odd.yaml').replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:12:13: operations\\[1\\]\\.module: module "ident:1\\.0\\.0" not found\n`, 'm'));

  const applied = ok(await run(['graph', 'apply', file('odd.yaml'), '--source', 'readings', '--sink', 'odd-readings', '--modules', modulesDir,
    '--allowed-lateness', '5s', '--state', 'seed=1', '--name', 'odd-values']));
  assert.equal(applied.stdout, 'module ident:1.0.0 registered\nmodule odd:2.0.0 registered\ngraph "odd-values" created (4 operations)\n');
  const again = ok(await run(['graph', 'apply', file('odd.yaml'), '--source', 'readings', '--sink', 'odd-readings', '--modules', modulesDir, '--name', 'odd-values']));
  assert.equal(again.stdout, 'graph "odd-values" replaced (4 operations)\n', 'same modules are not uploaded twice');

  const mods = ok(await run(['smartmodule', 'list'])).stdout;
  assert.match(mods, /^NAME\s+VERSION\s+KIND\s+ABI\s+SIZE/m);
  assert.match(mods, /^odd\s+2\.0\.0\s+graph operator \(filter,branch\)\s/m);

  const table = ok(await run(['graph', 'list'])).stdout;
  assert.match(table, /^NAME\s+STATUS\s+SOURCES\s+SINK\s+OPERATIONS$/m);
  // 'starting' until the broker's graph runner reports, then its state.
  assert.match(table, /^odd-values\s+(starting|running)\s+readings\s+odd-readings\s+4$/m);
  const [g] = JSON.parse(ok(await run(['graph', 'list', '-O', 'json'])).stdout);
  assert.equal(g.spec.allowedLatenessMs, 0, 'the second apply replaced the lateness');

  const text = ok(await run(['graph', 'describe', 'odd-values'])).stdout;
  assert.match(text, /^Status:\s+(starting|running)$/m);
  assert.match(text, /^Sources:\s+readings$/m);
  assert.match(text, /^\s+pass\s+map\s+ident:1\.0\.0\s+\d+\s+\d+$/m);
  assert.match(text, /^Graph:$/m);
  assert.match(text, /odd/);
  const dot = ok(await run(['graph', 'describe', 'odd-values', '-O', 'dot'])).stdout;
  assert.match(dot, /^digraph/);
  assert.match(ok(await run(['graph', 'describe', 'odd-values', '-O', 'mermaid'])).stdout, /^flowchart LR/m);
  assert.equal(JSON.parse(ok(await run(['graph', 'describe', 'odd-values', '-O', 'json'])).stdout).spec.sink, 'odd-readings');

  assert.match(oneLineError(await run(['smartmodule', 'delete', 'odd:2.0.0'])), /used by graph 'odd-values'/);
  assert.match(oneLineError(await run(['graph', 'apply', file('odd.yaml'), '--source', 'readings', '--sink', 'nope'])), /^error: graph 'odd': unknown sink topic 'nope'$/);
  assert.equal(ok(await run(['graph', 'delete', 'odd-values'])).stdout, 'graph "odd-values" deleted\n');
  assert.match(oneLineError(await run(['graph', 'describe', 'odd-values'])), /^error: unknown graph 'odd-values'$/);
  assert.equal(ok(await run(['graph', 'list'])).stdout, 'No graphs found\n');
  assert.match(ok(await run(['smartmodule', 'delete', 'odd'])).stdout, /deleted/);
});
