// Properties over random graphs: every well-formed DAG validates with its connections respected
// by the plan's order; one back edge always yields exactly one cycle error naming a real cycle.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { loadGraph, validateGraph } from './load.ts';
import type { ConnectionDefinition, GraphDefinition, OperationDefinition, OperationType } from './types.ts';

const MIDDLE: OperationType[] = ['map', 'filter', 'branch', 'accumulate', 'concatenate', 'delay'];

interface Spec {
  types: number[]; // index into MIDDLE per middle operation
  picks: number[][]; // per middle operation, raw choices of its inputs
  order: number[]; // shuffles declaration order
}

const specArb: fc.Arbitrary<Spec> = fc.integer({ min: 1, max: 14 }).chain((n) =>
  fc.record({
    types: fc.array(fc.nat(MIDDLE.length - 1), { minLength: n, maxLength: n }),
    picks: fc.array(fc.array(fc.nat(1000), { minLength: 1, maxLength: 3 }), { minLength: n, maxLength: n }),
    order: fc.array(fc.nat(1000), { minLength: n + 2 + 40, maxLength: n + 2 + 40 }),
  }),
);

/** A random valid DAG: each operation reads from earlier outputs (a branch's arms are two). */
function buildDag(spec: Spec): GraphDefinition {
  const n = spec.types.length;
  const ops: OperationDefinition[] = [{ operationType: 'source', name: 'source' }];
  const slots: { name: string; arm?: 'True' | 'False'; used: boolean }[] = [{ name: 'source', used: false }];
  const conns: ConnectionDefinition[] = [];
  for (let i = 0; i < n; i++) {
    const type = MIDDLE[spec.types[i]];
    const name = `stage-${i}/${type}`;
    ops.push(type === 'concatenate' ? { operationType: type, name } : { operationType: type, name, module: `mod${i % 3}:1.0.${i}` });
    const wanted = type === 'concatenate' ? spec.picks[i] : spec.picks[i].slice(0, 1);
    const chosen = [...new Set(wanted.map((p) => p % slots.length))];
    for (const s of chosen) {
      slots[s].used = true;
      const arm = slots[s].arm;
      conns.push({ from: arm === undefined ? { name: slots[s].name } : { name: slots[s].name, arm }, to: { name } });
    }
    if (type === 'branch') slots.push({ name, arm: 'True', used: false }, { name, arm: 'False', used: false });
    else slots.push({ name, used: false });
  }
  ops.push({ operationType: 'sink', name: 'sink' });
  for (const s of slots) if (!s.used) conns.push({ from: s.arm === undefined ? { name: s.name } : { name: s.name, arm: s.arm }, to: { name: 'sink' } });
  return {
    metadata: { name: 'random', version: '1.0.0' },
    moduleRequirements: { apiVersion: '1.1.0', runtimeVersion: '1.1.0' },
    operations: shuffle(ops, spec.order),
    connections: shuffle(conns, spec.order.slice(7)),
  };
}

function shuffle<T>(list: T[], rand: number[]): T[] {
  const out = list.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = rand[i % rand.length] % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

test('random DAGs validate; the plan order respects every connection', () => {
  fc.assert(
    fc.property(specArb, (spec) => {
      const def = buildDag(spec);
      for (const r of [validateGraph(def), loadGraph(stringify(def))]) {
        assert.ok(r.ok, r.ok ? '' : r.errors.map((e) => e.text).join('\n'));
        assert.deepEqual(r.warnings, []);
        const order = new Map(r.plan.operations.map((o, i) => [o.name, i]));
        assert.equal(order.size, def.operations.length);
        assert.equal(r.plan.operations[0].name, 'source');
        assert.equal(r.plan.operations.at(-1)!.name, 'sink');
        for (const c of def.connections) assert.ok(order.get(c.from.name)! < order.get(c.to.name)!, `${c.from.name} → ${c.to.name}`);
        // Every connection appears once as an output and once as an input.
        const outs = r.plan.operations.flatMap((o) => o.outputs.map((x) => `${o.name}|${x.arm ?? ''}|${x.to}`)).sort();
        const want = def.connections.map((c) => `${c.from.name}|${c.from.arm ?? ''}|${c.to.name}`).sort();
        assert.deepEqual(outs, want);
        assert.equal(r.plan.operations.reduce((s, o) => s + o.inputs.length, 0), def.connections.length);
      }
    }),
    { numRuns: 150 },
  );
});

test('a back edge always yields exactly one cycle error naming a real cycle', () => {
  fc.assert(
    fc.property(specArb, fc.nat(1000), fc.array(fc.nat(1000), { maxLength: 20 }), (spec, startPick, walk) => {
      const def = buildDag(spec);
      const out = new Map<string, ConnectionDefinition[]>();
      for (const c of def.connections) out.set(c.from.name, [...(out.get(c.from.name) ?? []), c]);
      const middle = def.operations.filter((o) => o.operationType !== 'source' && o.operationType !== 'sink');
      // Walk forward from a middle operation; the edge back from where the walk stops closes a cycle.
      const start = middle[startPick % middle.length].name;
      let at = start;
      for (const step of walk) {
        const next = (out.get(at) ?? []).filter((c) => c.to.name !== 'sink');
        if (next.length === 0) break;
        at = next[step % next.length].to.name;
      }
      const fromOp = def.operations.find((o) => o.name === at)!;
      const back: ConnectionDefinition = { from: fromOp.operationType === 'branch' ? { name: at, arm: 'True' } : { name: at }, to: { name: start } };
      def.connections.push(back);
      const r = validateGraph(def);
      assert.equal(r.ok, false);
      const cycles = r.ok ? [] : r.errors.filter((e) => e.message.startsWith('closes a cycle: '));
      assert.equal(cycles.length, 1, r.ok ? '' : r.errors.map((e) => e.text).join('\n'));
      const names = [...cycles[0].message.matchAll(/"([^"]+)"/g)].map((m) => m[1]);
      assert.equal(names[0], names.at(-1));
      const edges = new Set(def.connections.map((c) => `${c.from.name}→${c.to.name}`));
      for (let i = 0; i + 1 < names.length; i++) assert.ok(edges.has(`${names[i]}→${names[i + 1]}`), `${names[i]} → ${names[i + 1]} is a connection`);
      assert.ok(names.includes(start) && names.includes(at));
    }),
    { numRuns: 150 },
  );
});
