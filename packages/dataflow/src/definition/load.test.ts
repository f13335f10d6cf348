import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { loadGraph, loadGraphOrThrow, parseGraphDefinition, validateGraph } from './load.ts';
import { InvalidGraphError } from './diagnostics.ts';
import { providedOperators } from './module_ref.ts';
import type { GraphDefinition, GraphResult, ValidateOptions } from './types.ts';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

// A small graph written one entry per line, so golden line:col values are easy to check by eye.
const HEAD = 'metadata: { name: g, version: "1.0.0" }\nmoduleRequirements: { apiVersion: "1.1.0", runtimeVersion: "1.1.0" }\n';
function graph(ops: string[], conns: string[], extra = ''): string {
  return HEAD + extra + 'operations:\n' + ops.map((o) => `  - { ${o} }\n`).join('') + 'connections:\n' + conns.map((c) => `  - { ${c} }\n`).join('');
}
const SRC = 'operationType: source, name: source';
const SINK = 'operationType: sink, name: sink';
const op = (name: string, type = 'map', mod = 't:1.0.0') => `operationType: ${type}, name: ${name}, module: "${mod}"`;
const conn = (a: string, b: string, arm?: string) => `from: { name: ${a}${arm === undefined ? '' : `, arm: ${arm}`} }, to: { name: ${b} }`;

function errors(r: GraphResult): string[] {
  assert.equal(r.ok, false, 'expected the graph to be rejected');
  return r.ok ? [] : r.errors.map((e) => e.text);
}

test('the simple graph (source → map temperature:1.0.0 → sink) gives a plan', () => {
  const r = loadGraph(fixture('graph-simple.yaml'), { file: 'graph-simple.yaml' });
  assert.ok(r.ok, r.ok ? '' : r.errors.map((e) => e.text).join('\n'));
  assert.deepEqual(r.warnings, []);
  assert.deepEqual(r.plan, {
    metadata: {
      name: 'Simple graph',
      description: 'Converts temperatures from Fahrenheit to Celsius',
      version: '1.0.0',
      $schema: 'https://www.schemastore.org/aio-wasm-graph-config-1.0.0.json',
      vendor: 'Eddy',
    },
    moduleRequirements: { apiVersion: '1.1.0', runtimeVersion: '1.1.0' },
    source: 'source',
    sink: 'sink',
    operations: [
      { name: 'source', type: 'source', params: {}, inputs: [], outputs: [{ to: 'module-temperature/map' }] },
      {
        name: 'module-temperature/map',
        type: 'map',
        module: { name: 'temperature', version: '1.0.0' },
        params: { output_unit: 'celsius' },
        inputs: ['source'],
        outputs: [{ to: 'sink' }],
      },
      { name: 'sink', type: 'sink', params: {}, inputs: ['module-temperature/map'], outputs: [] },
    ],
  });
  // Plain data: survives JSON (what crosses to worker threads).
  assert.deepEqual(JSON.parse(JSON.stringify(r.plan)), r.plan);
});

test('the complex graph (branch, accumulate, concatenate, delay) gives a plan in topological order', () => {
  const text = fixture('graph-complex.yaml');
  assert.deepEqual(errors(loadGraph(text, { file: 'graph-complex.yaml' })), [
    'graph-complex.yaml:25:7: moduleConfigurations[1].parameters.snapshot_topic: required parameter "snapshot_topic" of "module-snapshot/branch" has no default and no value: pass --param module-snapshot/branch.snapshot_topic=VALUE',
  ]);
  const r = loadGraph(text, { params: { 'module-snapshot/branch.snapshot_topic': 'snapshots', 'module-temperature/filter.temperature_upper_bound': '100' } });
  assert.ok(r.ok, r.ok ? '' : r.errors.map((e) => e.text).join('\n'));
  const plan = r.plan;
  assert.equal(plan.operations.length, 14);
  assert.equal(plan.operations[0].name, 'source');
  assert.equal(plan.operations[13].name, 'sink');
  const pos = new Map(plan.operations.map((o, i) => [o.name, i]));
  for (const o of plan.operations) for (const out of o.outputs) assert.ok(pos.get(o.name)! < pos.get(out.to)!, `${o.name} before ${out.to}`);
  const byName = new Map(plan.operations.map((o) => [o.name, o]));
  assert.deepEqual(byName.get('concatenate1')!.inputs, ['module-snapshot/accumulate', 'module-temperature/accumulate', 'module-humidity/accumulate']);
  assert.equal(byName.get('concatenate1')!.module, undefined);
  assert.deepEqual(byName.get('module-snapshot/branch')!.outputs, [{ to: 'module-format/map', arm: 'True' }, { to: 'module-temperature/branch', arm: 'False' }]);
  assert.deepEqual(byName.get('module-window/delay')!.module, { name: 'window', version: '1.0.0', path: 'eddy' });
  // default: -40 (a YAML number) arrives as the text written; the override wins over the default.
  assert.deepEqual(byName.get('module-temperature/filter')!.params, { temperature_lower_bound: '-40', temperature_upper_bound: '100' });
  assert.deepEqual(byName.get('module-snapshot/branch')!.params, { snapshot_topic: 'snapshots' });
});

test('YAML syntax errors carry line:col', () => {
  assert.deepEqual(errors(loadGraph(HEAD + 'operations: [\n  { operationType: source, name: source }\nconnections: []\n')), [
    'graph.yaml:5:1: YAML: Flow sequence in block collection must be sufficiently indented and end with a ]',
  ]);
  assert.deepEqual(errors(loadGraph('metadata: { name: a }\nmetadata: { name: b }\n')), ['graph.yaml:2:1: YAML: Map keys must be unique']);
});

test('shape errors (JSON Schema) map to YAML paths, all reported at once', () => {
  const text = `metadata: { name: g }
moduleRequirements: { apiVersion: "1.1.0" }
operations:
  - { operationType: source, name: source }
  - { operationType: mapp, name: m, modul: "t:1" }
  - { operationType: sink, name: sink }
connections:
  - { from: { name: source, arm: true }, to: { name: m } }
  - { from: { name: m, arm: "true" }, to: [sink] }
extra: 1
`;
  assert.deepEqual(errors(loadGraph(text)), [
    'graph.yaml:1:11: metadata: missing required field "version"',
    'graph.yaml:2:21: moduleRequirements: missing required field "runtimeVersion"',
    'graph.yaml:5:22: operations[1].operationType: must be one of "source", "sink", "map", "filter", "branch", "accumulate", "concatenate", "delay", got "mapp"',
    'graph.yaml:5:37: operations[1].modul: unknown field "modul" (allowed: operationType, name, module)',
    'graph.yaml:8:34: connections[0].from.arm: arm must be the string "True" or "False": write arm: "True"',
    'graph.yaml:9:29: connections[1].from.arm: must be "True" or "False", got "true"',
    'graph.yaml:9:43: connections[1].to: must be a map, got a list',
    'graph.yaml:10:1: extra: unknown field "extra" (allowed: metadata, moduleRequirements, moduleConfigurations, operations, connections, schemas)',
  ]);
});

test('Azure spellings are accepted: hostlibVersion, plain True arms, empty concatenate module, unquoted versions', () => {
  const text = `metadata: { name: g, version: 1.0 }
moduleRequirements: { apiVersion: 0.2.0, hostlibVersion: "0.2.0", features: [{ name: wasi-nn }] }
operations:
  - { operationType: source, name: source }
  - { operationType: branch, name: b, module: "registry.io:5000/split:1.0" }
  - { operationType: concatenate, name: j, module: }
  - { operationType: sink, name: sink }
connections:
  - { from: { name: source }, to: { name: j } }
  - { from: { name: j }, to: { name: b } }
  - { from: { name: b, arm: True }, to: { name: sink } }
  - { from: { name: b, arm: False, schemaName: s }, to: { name: sink } }
`;
  const r = loadGraph(text);
  assert.ok(r.ok, r.ok ? '' : r.errors.map((e) => e.text).join('\n'));
  assert.equal(r.plan.metadata.version, '1.0');
  assert.equal(r.plan.moduleRequirements.apiVersion, '0.2.0');
  assert.deepEqual(r.plan.operations[2].module, { name: 'split', version: '1.0', path: 'registry.io:5000' });
  assert.deepEqual(r.plan.operations[2].outputs, [{ to: 'sink', arm: 'True' }, { to: 'sink', arm: 'False' }]);
  assert.deepEqual(r.plan.operations[3].inputs, ['b', 'b']);
});

test('unknown operation in a connection, at the name (block style)', () => {
  const text = HEAD + `operations:
  - operationType: source
    name: source
  - operationType: map
    name: module-temp/map2
    module: temperature:1.0.0
  - operationType: sink
    name: sink
connections:
  - from:
      name: source
    to:
      name: module-temp/map2
  - from:
      name: module-temp/map
    to:
      name: sink
`;
  assert.deepEqual(errors(loadGraph(text)), ['graph.yaml:17:13: connections[1].from.name: unknown operation "module-temp/map"']);
  assert.deepEqual(errors(loadGraph(graph([SRC, op('m'), SINK], [conn('source', 'x'), conn('y', 'sink'), conn('source', 'm'), conn('m', 'sink')]))), [
    'graph.yaml:8:43: connections[0].to.name: unknown operation "x"',
    'graph.yaml:9:21: connections[1].from.name: unknown operation "y"',
  ]);
});

test('duplicate operation names', () => {
  assert.deepEqual(errors(loadGraph(graph([SRC, op('m'), op('m'), SINK], [conn('source', 'm'), conn('m', 'sink')]))), [
    'graph.yaml:6:33: operations[2].name: duplicate operation name "m" (first declared at operations[1])',
  ]);
});

test('exactly one source and one sink', () => {
  assert.deepEqual(errors(loadGraph(graph([op('m'), SINK, 'operationType: sink, name: sink2'], [conn('m', 'sink'), conn('m', 'sink2')]))), [
    'graph.yaml:3:1: operations: the graph has no source (an operation with operationType: source)',
    'graph.yaml:4:33: operations[0].name: "m" has no input: no connection leads to it',
    'graph.yaml:6:22: operations[2].operationType: a second sink "sink2": a graph has exactly one (the first is "sink")',
  ]);
  assert.deepEqual(errors(loadGraph(graph([SRC, op('m')], [conn('source', 'm')]))), [
    'graph.yaml:3:1: operations: the graph has no sink (an operation with operationType: sink)',
  ]);
});

test('a source takes no inputs, a sink gives no outputs', () => {
  assert.deepEqual(errors(loadGraph(graph([SRC, op('m'), SINK], [conn('source', 'm'), conn('m', 'sink'), conn('m', 'source'), conn('sink', 'm')]))), [
    'graph.yaml:10:38: connections[2].to.name: source "source" cannot have inputs',
    'graph.yaml:11:21: connections[3].from.name: sink "sink" cannot have outputs',
  ]);
});

test('an operation with no input', () => {
  assert.deepEqual(errors(loadGraph(graph([SRC, op('m'), op('lonely'), SINK], [conn('source', 'm'), conn('m', 'sink'), conn('lonely', 'sink')]))), [
    'graph.yaml:6:33: operations[2].name: "lonely" has no input: no connection leads to it',
  ]);
});

test('only concatenate and sink take several inputs', () => {
  const conns = [conn('source', 'a'), conn('source', 'b'), conn('a', 'm'), conn('b', 'm'), conn('m', 'sink')];
  assert.deepEqual(errors(loadGraph(graph([SRC, op('a'), op('b'), op('m'), SINK], conns))), [
    'graph.yaml:13:38: connections[3].to.name: "m" (map) already has an input from "a" (connections[2]): only concatenate and sink take several inputs',
  ]);
  assert.ok(loadGraph(graph([SRC, op('a'), op('b'), 'operationType: concatenate, name: m', SINK], conns)).ok);
  assert.deepEqual(errors(loadGraph(graph([SRC, op('m'), SINK], [conn('source', 'm'), conn('m', 'sink'), conn('m', 'sink')]))), [
    'graph.yaml:10:5: connections[2]: duplicate of connections[1] ("m" → "sink")',
  ]);
});

test('cycles are named, at the connection that closes them', () => {
  const ops = [SRC, op('a'), op('b'), op('c'), 'operationType: concatenate, name: j', SINK];
  assert.deepEqual(errors(loadGraph(graph(ops, [conn('source', 'j'), conn('j', 'a'), conn('a', 'b'), conn('b', 'c'), conn('c', 'j'), conn('c', 'sink')]))), [
    'graph.yaml:12:5: connections[1]: closes a cycle: "a" → "b" → "c" → "j" → "a"',
  ]);
  assert.deepEqual(errors(loadGraph(graph([SRC, 'operationType: concatenate, name: j', SINK], [conn('source', 'j'), conn('j', 'j'), conn('j', 'sink')]))), [
    'graph.yaml:9:5: connections[1]: closes a cycle: "j" → "j"',
  ]);
});

test('branch arms: both needed, only on branches, required on branches', () => {
  const r = loadGraph(graph([SRC, op('b', 'branch'), op('m'), SINK], [conn('source', 'b'), conn('b', 'm', '"True"'), conn('b', 'sink'), conn('m', 'sink', '"False"')]));
  assert.deepEqual(errors(r), [
    'graph.yaml:5:36: operations[1].name: branch "b" has no "False" arm: no connection leaves it with arm: "False"',
    'graph.yaml:11:13: connections[2].from: a connection from branch "b" needs arm: "True" or "False"',
    'graph.yaml:12:29: connections[3].from.arm: "m" is a map, not a branch: only a branch\'s connections take an arm',
  ]);
});

test('an operation with no path to the sink is a warning, not an error', () => {
  const ops = [SRC, op('b', 'branch'), op('m'), op('dead'), 'operationType: concatenate, name: j', SINK];
  const r = loadGraph(graph(ops, [conn('source', 'b'), conn('b', 'j', '"True"'), conn('b', 'm', '"False"'), conn('m', 'dead'), conn('j', 'sink')]));
  assert.ok(r.ok);
  assert.deepEqual(r.warnings.map((w) => [w.severity, w.text]), [
    ['warning', 'graph.yaml:6:33: operations[2].name: "m" has no path to the sink "sink": its output is dropped'],
    ['warning', 'graph.yaml:7:33: operations[3].name: "dead" has no path to the sink "sink": its output is dropped'],
  ]);
  assert.equal(r.plan.operations.at(-1)!.name, 'sink');
});

test('module references: required, name:version, none on source and sink', () => {
  const ops = [SRC, 'operationType: map, name: a', op('b', 'filter', 'temperature'), 'operationType: source, name: s2, module: "x:1"', SINK];
  assert.deepEqual(errors(loadGraph(graph(ops, [conn('source', 'a'), conn('a', 'b'), conn('b', 'sink'), conn('s2', 'sink')]))), [
    'graph.yaml:5:5: operations[1]: missing required field "module": a map operation runs a module ("name:version")',
    'graph.yaml:6:47: operations[2].module: "temperature" is not a module reference of the form name:version',
    'graph.yaml:7:22: operations[3].operationType: a second source "s2": a graph has exactly one (the first is "source")',
    'graph.yaml:7:48: operations[3].module: a source takes no module',
  ]);
});

test('the module resolver: module not found, operator type not provided', () => {
  const asked: string[] = [];
  const opts: ValidateOptions = {
    resolveModule: (ref) => {
      asked.push(`${ref.name}:${ref.version}`);
      return ref.name === 'temperature' ? providedOperators(['memory', 'alloc', 'graph_map', 'graph_branch']) : undefined;
    },
  };
  const ops = [SRC, op('a', 'map', 'temperature:1.0.0'), op('b', 'filter', 'temperature:1.0.0'), op('c', 'map', 'missing:2.0.0'), SINK];
  assert.deepEqual(errors(loadGraph(graph(ops, [conn('source', 'a'), conn('a', 'b'), conn('b', 'c'), conn('c', 'sink')]), opts)), [
    'graph.yaml:6:22: operations[2].operationType: module "temperature:1.0.0" does not provide filter (it provides branch, map)',
    'graph.yaml:7:44: operations[3].module: module "missing:2.0.0" not found',
  ]);
  assert.deepEqual(asked, ['temperature:1.0.0', 'missing:2.0.0'], 'one lookup per module');
});

const CONFIGS = `moduleConfigurations:
  - name: nope
    parameters: {}
  - name: m
    parameters:
      lower: { name: lower_bound, default: -40 }
      topic: { name: topic, required: true }
      flag: { name: flag, required: false }
`;

test('module configurations and --param overrides', () => {
  const text = graph([SRC, op('m'), SINK], [conn('source', 'm'), conn('m', 'sink')], CONFIGS);
  const r = loadGraph(text, { params: { 'm.upper': '1', 'x.y': '2', novalue: '3', 'source.k': '4' } });
  assert.deepEqual(errors(r), [
    'graph.yaml:4:11: moduleConfigurations[0].name: unknown operation "nope"',
    'graph.yaml:9:7: moduleConfigurations[1].parameters.topic: required parameter "topic" of "m" has no default and no value: pass --param m.topic=VALUE',
    'graph.yaml: --param m.upper: unknown parameter "upper" of "m" (declared: lower, topic, flag)',
    'graph.yaml: --param x.y: unknown operation "x"',
    'graph.yaml: --param novalue: expected OPERATION.KEY=VALUE',
    'graph.yaml: --param source.k: unknown parameter "k" of "source" ("source" declares no parameters)',
  ]);
  const fixed = text.replace('  - name: nope\n    parameters: {}\n', '');
  // KEY is the YAML key or the parameter's name; values are keyed by the name the module reads.
  const ok = loadGraph(fixed, { params: { 'm.topic': 't1', 'm.lower_bound': '-10' } });
  assert.ok(ok.ok);
  assert.deepEqual(ok.plan.operations[1].params, { lower_bound: '-10', topic: 't1' });
});

test('parseGraphDefinition + validateGraph split the work; code-built definitions are shape-checked', () => {
  const text = fixture('graph-simple.yaml');
  const parsed = parseGraphDefinition(text, { file: 'simple.yaml' });
  assert.ok(parsed.ok);
  assert.equal(parsed.document.file, 'simple.yaml');
  assert.deepEqual(parsed.document.locations.values['operations[1].module'], { line: 26, col: 13 });
  const v = validateGraph(parsed.document, { params: { 'module-temperature/map.unit': 'kelvin' } });
  assert.ok(v.ok);
  assert.deepEqual(v.plan.operations[1].params, { output_unit: 'kelvin' });
  assert.deepEqual(errors(validateGraph(parsed.document, { params: { 'sink.x': '1' } })), [
    'simple.yaml: --param sink.x: unknown parameter "x" of "sink" ("sink" declares no parameters)',
  ]);

  const def = parseYaml(text) as GraphDefinition;
  assert.ok(validateGraph(def).ok);
  const broken = structuredClone(def);
  broken.connections[1].from.name = 'nowhere';
  (broken.operations[0] as unknown as Record<string, unknown>).colour = 'red';
  assert.deepEqual(errors(validateGraph(broken)), [
    '<definition>: operations[0].colour: unknown field "colour" (allowed: operationType, name, module)',
  ]);
  delete (broken.operations[0] as unknown as Record<string, unknown>).colour;
  assert.deepEqual(errors(validateGraph(broken)), ['<definition>: connections[1].from.name: unknown operation "nowhere"']);
});

test('loadGraphOrThrow throws every error, one per line', () => {
  const text = graph([SRC, op('m'), op('m'), SINK], [conn('source', 'm'), conn('m', 'x')]);
  assert.throws(
    () => loadGraphOrThrow(text, { file: 'g.yaml' }),
    (e: unknown) =>
      e instanceof InvalidGraphError &&
      e.errors.length === 3 &&
      e.message ===
        'g.yaml:6:33: operations[2].name: duplicate operation name "m" (first declared at operations[1])\n' +
          'g.yaml:7:34: operations[3].name: "sink" has no input: no connection leads to it\n' +
          'g.yaml:10:38: connections[1].to.name: unknown operation "x"',
  );
  assert.equal(loadGraphOrThrow(fixture('graph-simple.yaml')).plan.sink, 'sink');
});

test('an empty file and a non-map document', () => {
  assert.deepEqual(errors(loadGraph('')), ['graph.yaml: must be a map, got nothing']);
  assert.deepEqual(errors(loadGraph('- 1\n')), ['graph.yaml:1:1: must be a map, got a list']);
});

test('every diagnostic stays on one line, even for names holding newlines', () => {
  const r = loadGraph(graph([SRC, op('"a\\nb"'), SINK], [conn('source', '"a\\nb"'), conn('"x\\ny"', 'sink')]));
  assert.deepEqual(errors(r), ['graph.yaml:9:21: connections[1].from.name: unknown operation "x\\ny"']);
});
