import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { loadGraph } from './load.ts';
import { renderGraph } from './render.ts';
import type { GraphPlan } from './types.ts';

function plan(name: string, params: Record<string, string> = {}): GraphPlan {
  const r = loadGraph(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8'), { params });
  assert.ok(r.ok, r.ok ? '' : r.errors.map((e) => e.text).join('\n'));
  return r.plan;
}
const simple = plan('graph-simple.yaml');
const complex = plan('graph-complex.yaml', { 'module-snapshot/branch.snapshot_topic': 'snapshots' });
const edges = (p: GraphPlan) => p.operations.flatMap((o) => o.outputs.map((x) => ({ from: o.name, to: x.to, arm: x.arm })));

test('text drawing of the simple graph (snapshot)', () => {
  assert.equal(
    renderGraph(simple, 'text'),
    [
      'Simple graph 1.0.0 (3 operations, source → sink)',
      '  source                  source',
      '      → module-temperature/map',
      '  module-temperature/map  map     temperature:1.0.0  output_unit="celsius"',
      '      → sink',
      '  sink                    sink',
      '',
    ].join('\n'),
  );
});

test('text drawing shows arms and annotations', () => {
  const text = renderGraph(complex, 'text', { annotations: { 'module-snapshot/branch': { recordsIn: 10, recordsOut: 9, note: 'slow' } } });
  assert.match(text, /^ {2}module-snapshot\/branch +branch +eddy\/snapshot:1\.0\.0 +snapshot_topic="snapshots" +\[in 10 · out 9 · slow\]$/m);
  assert.match(text, /^ {6}→ module-format\/map \[True\]$/m);
  assert.match(text, /^ {6}→ module-temperature\/branch \[False\]$/m);
  assert.equal(text.split('\n').filter((l) => l.startsWith('      → ')).length, edges(complex).length);
});

test('dot contains every node and edge, arms as labels', () => {
  const dot = renderGraph(complex, 'dot', { annotations: { sink: { recordsIn: 42 } } });
  assert.ok(dot.startsWith('digraph "Sensor pipeline" {\n  rankdir=LR;'));
  assert.ok(dot.trimEnd().endsWith('}'));
  for (const e of edges(complex)) {
    assert.ok(dot.includes(`  "${e.from}" -> "${e.to}"${e.arm === undefined ? ';' : ` [label="${e.arm}"];`}`), `${e.from} -> ${e.to}`);
  }
  assert.ok(dot.includes('"module-window/delay" [label="module-window/delay\\ndelay · eddy/window:1.0.0"];'));
  assert.ok(dot.includes('"sink" [label="sink\\nsink\\nin 42", shape=oval];'));
});

test('dot escapes quotes in names', () => {
  const p: GraphPlan = structuredClone(simple);
  p.operations[1].name = 'say "hi"';
  p.operations[0].outputs[0].to = 'say "hi"';
  const dot = renderGraph(p, 'dot');
  assert.ok(dot.includes('"source" -> "say \\"hi\\"";'));
});

test('mermaid flowchart LR contains every edge, arms as labels', () => {
  const m = renderGraph(complex, 'mermaid');
  const lines = m.split('\n');
  assert.equal(lines[0], 'flowchart LR');
  const id = new Map<string, string>();
  for (const l of lines) {
    const node = /^ {2}(n\d+)[[({]+"([^<"]+)<br\/>/.exec(l);
    if (node !== null) id.set(node[2], node[1]);
  }
  assert.equal(id.size, complex.operations.length);
  for (const e of edges(complex)) assert.ok(lines.includes(`  ${id.get(e.from)} -->${e.arm === undefined ? '' : `|${e.arm}|`} ${id.get(e.to)}`), `${e.from} --> ${e.to}`);
  assert.ok(lines.includes('  n2{"module-snapshot/branch<br/>branch · eddy/snapshot:1.0.0"}'));
  assert.ok(lines.includes('  n0(["source<br/>source"])'));
});

test('unknown formats are refused', () => {
  assert.throws(() => renderGraph(simple, 'svg' as 'dot'), /unknown graph drawing format "svg"/);
});
