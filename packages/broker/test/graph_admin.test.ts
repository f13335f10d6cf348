// Graph admin against a real broker: versioned module registry (SmartModules and graph operator
// modules), ApplyGraph validation with the dataflow validator, list/describe/delete, status from
// a graph runner, and what deletion of used modules and topics does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode } from '@eddy/protocol';
import type { GraphSpec } from '@eddy/protocol';
import { withBroker } from './helpers.ts';
import { topicSpec } from './raw_client.ts';
import type { RawClient } from './raw_client.ts';
import type { GraphRuntimeStatus } from '../src/internal_mod.ts';
import { wat2wasm, IDENTITY_MAP_WAT, ODD_WAT } from '../../dataflow/test/wat_operators.ts';
import { identOddYaml } from '../../dataflow/test/graph_yaml.ts';

const MAP_WASM = Buffer.from(wat2wasm(IDENTITY_MAP_WAT));
const ODD_WASM = Buffer.from(wat2wasm(ODD_WAT));
const SM_FILTER = Buffer.from(wat2wasm(`(module (memory (export "memory") 1)
  (func (export "alloc") (param i32) (result i32) i32.const 0)
  (func (export "dealloc") (param i32 i32))
  (func (export "filter") (param i32 i32 i32) (result i32) i32.const 0))`));

const DEFINITION = identOddYaml('t');

function spec(over: Partial<GraphSpec> = {}): GraphSpec {
  return { name: 'g', definition: DEFINITION, sources: ['in'], sink: 'out', params: {}, state: {}, allowedLatenessMs: 0, lateTopic: null, createdMs: 0, ...over };
}

async function createModule(client: RawClient, name: string, version: string, wasm: Buffer): Promise<void> {
  const r = await client.request('CreateSmartModule', { name, version, description: '', wasm });
  assert.equal(r.errorCode, ErrorCode.None, r.errorMessage ?? '');
}

test('module registry: versions coexist, kind and operators from the exports, name and name:version lookups', async () => {
  await withBroker(async ({ client, broker }) => {
    await createModule(client, 'odd', '1.0.0', ODD_WASM);
    await createModule(client, 'odd', '2.0.0', ODD_WASM);
    await createModule(client, 'keep', '0.1.0', SM_FILTER);
    const dup = await client.request('CreateSmartModule', { name: 'odd', version: '2.0.0', description: '', wasm: ODD_WASM });
    assert.equal(dup.errorCode, ErrorCode.SmartModuleExists);
    assert.match(dup.errorMessage!, /'odd:2\.0\.0' already exists/);
    const badVersion = await client.request('CreateSmartModule', { name: 'odd', version: 'a:b', description: '', wasm: ODD_WASM });
    assert.equal(badVersion.errorCode, ErrorCode.InvalidRequest);

    const all = (await client.request('ListSmartModules', { names: [] })).modules;
    assert.deepEqual(all.map((m) => [m.name, m.spec.version, m.spec.kind, m.spec.operators]), [
      ['keep', '0.1.0', 'smartmodule', []],
      ['odd', '1.0.0', 'graph-operator', ['filter', 'branch']],
      ['odd', '2.0.0', 'graph-operator', ['filter', 'branch']],
    ]);
    assert.ok(all[1].spec.exports.includes('graph_abi_version'));
    assert.deepEqual((await client.request('ListSmartModules', { names: ['odd'] })).modules.map((m) => m.spec.version), ['1.0.0', '2.0.0']);
    assert.deepEqual((await client.request('ListSmartModules', { names: ['odd:2.0.0'] })).modules.map((m) => m.spec.version), ['2.0.0']);
    assert.equal((await client.request('ListSmartModules', { names: ['odd:3.0.0'] })).errorCode, ErrorCode.SmartModuleNotFound);

    // A bare name is its only version; with several it must be named.
    assert.ok((await broker.controller.smartModuleWasm('keep')).length > 0);
    await assert.rejects(broker.controller.moduleWasm('odd'), /has 2 versions \(1\.0\.0, 2\.0\.0\)/);
    assert.deepEqual(await broker.controller.moduleWasm('odd:1.0.0'), ODD_WASM);
    await assert.rejects(broker.controller.smartModuleWasm('odd:1.0.0'), /graph operator module, not a SmartModule/);

    // A module with neither ABI is refused, naming both.
    const none = await client.request('CreateSmartModule', { name: 'none', version: '1', description: '', wasm: Buffer.from(wat2wasm('(module (func (export "f")))')) });
    assert.equal(none.errorCode, ErrorCode.SmartModuleInvalid);
    assert.match(none.errorMessage!, /exports none of filter.*graph_abi_version/);

    assert.equal((await client.request('DeleteSmartModule', { name: 'odd:1.0.0' })).errorCode, ErrorCode.None);
    assert.deepEqual((await client.request('ListSmartModules', { names: ['odd'] })).modules.map((m) => m.spec.version), ['2.0.0']);
    await createModule(client, 'odd', '3.0.0', ODD_WASM);
    assert.equal((await client.request('DeleteSmartModule', { name: 'odd' })).errorCode, ErrorCode.None, 'a bare name deletes every version');
    assert.deepEqual((await client.request('ListSmartModules', { names: [] })).modules.map((m) => m.name), ['keep']);
  });
});

test('graphs: apply validates against the registry and topics, list/describe carry the status, delete', async () => {
  await withBroker(async ({ client, broker }) => {
    await client.request('CreateTopic', { name: 'in', spec: topicSpec({ partitions: 2 }), dryRun: false });
    await client.request('CreateTopic', { name: 'out', spec: topicSpec(), dryRun: false });
    await createModule(client, 'ident', '1.0.0', MAP_WASM);

    // odd:2.0.0 is not registered: the validator's line names the file and the YAML path.
    const unknown = await client.request('ApplyGraph', { spec: spec(), file: 'pipeline.yaml', dryRun: false });
    assert.equal(unknown.errorCode, ErrorCode.GraphInvalid);
    assert.equal(unknown.errorMessage, 'pipeline.yaml:15:13: operations[2].module: module "odd:2.0.0" not found');

    // A module that lacks the operator type: map is not among odd's.
    await createModule(client, 'odd', '2.0.0', ODD_WASM);
    const wrongType = await client.request('ApplyGraph', { spec: spec({ definition: DEFINITION.replace('module: "ident:1.0.0"', 'module: "odd:2.0.0"') }), file: '', dryRun: false });
    assert.equal(wrongType.errorCode, ErrorCode.GraphInvalid);
    assert.equal(wrongType.errorMessage, 'g.yaml:10:20: operations[1].operationType: module "odd:2.0.0" does not provide map (it provides branch, filter)');

    const noTopic = await client.request('ApplyGraph', { spec: spec({ sink: 'nowhere' }), file: '', dryRun: false });
    assert.equal(noTopic.errorCode, ErrorCode.UnknownTopic);
    assert.match(noTopic.errorMessage!, /unknown sink topic 'nowhere'/);
    for (const [over, re] of [
      [{ name: 'Bad_Name' }, /invalid graph name/],
      [{ sources: [] }, /at least one source/],
      [{ sink: 'in' }, /both a source and the sink/],
      [{ allowedLatenessMs: -1 }, /allowed lateness/],
    ] as [Partial<GraphSpec>, RegExp][]) {
      const r = await client.request('ApplyGraph', { spec: spec(over), file: '', dryRun: false });
      assert.equal(r.errorCode, ErrorCode.InvalidRequest, JSON.stringify(over));
      assert.match(r.errorMessage!, re);
    }

    const dry = await client.request('ApplyGraph', { spec: spec(), file: '', dryRun: true });
    assert.deepEqual([dry.errorCode, dry.created, dry.operations], [ErrorCode.None, true, 4]);
    assert.equal((await client.request('ListGraphs', { names: [] })).graphs.length, 0, 'dry run stores nothing');

    const created = await client.request('ApplyGraph', { spec: spec({ params: {}, state: { seed: 'x' }, allowedLatenessMs: 5000 }), file: '', dryRun: false });
    assert.deepEqual([created.errorCode, created.created], [ErrorCode.None, true]);
    const replaced = await client.request('ApplyGraph', { spec: spec({ allowedLatenessMs: 7000 }), file: '', dryRun: false });
    assert.deepEqual([replaced.errorCode, replaced.created], [ErrorCode.None, false]);

    const [g] = (await client.request('ListGraphs', { names: [] })).graphs;
    assert.equal(g.name, 'g');
    assert.equal(g.spec.allowedLatenessMs, 7000);
    assert.ok(g.spec.createdMs > 0);
    assert.equal(g.status.state, 'starting', 'no runner has reported yet');
    assert.deepEqual(g.status.operators.map((o) => [o.name, o.type, o.module]), [['source', 'source', null], ['pass', 'map', 'ident:1.0.0'], ['odd', 'filter', 'odd:2.0.0'], ['sink', 'sink', null]]);

    // The runner reports through the controller's GraphStatusSource.
    const rt: GraphRuntimeStatus = {
      state: 'running',
      operators: [{ name: 'pass', type: 'map', module: 'ident:1.0.0', recordsIn: 10, recordsOut: 10 }],
      instances: [{ partition: 1, state: 'failed', error: 'boom', positions: [{ topic: 'in', partition: 1, offset: 42 }], frontierMs: 1000, frontierLagMs: 250, lateMessages: 3, checkpointMs: null }],
    };
    broker.controller.graphs.setStatusSource({ status: (name) => (name === 'g' ? rt : undefined) });
    const d = await client.request('DescribeGraph', { name: 'g' });
    assert.equal(d.graph!.status.state, 'running');
    assert.deepEqual(d.graph!.status.instances[0], { partition: 1, state: 'failed', error: 'boom', positions: [{ topic: 'in', partition: 1, offset: 42 }], frontierMs: 1000, frontierLagMs: 250, lateMessages: 3, checkpointMs: null });
    assert.equal((await client.request('DescribeGraph', { name: 'nope' })).errorCode, ErrorCode.GraphNotFound);
    assert.equal((await client.request('ListGraphs', { names: ['nope'] })).errorCode, ErrorCode.GraphNotFound);

    // What a graph uses cannot be deleted under it.
    const modDel = await client.request('DeleteSmartModule', { name: 'odd:2.0.0' });
    assert.equal(modDel.errorCode, ErrorCode.InvalidRequest);
    assert.match(modDel.errorMessage!, /used by graph 'g'/);
    const topicDel = await client.request('DeleteTopic', { name: 'out' });
    assert.equal(topicDel.errorCode, ErrorCode.InvalidRequest);
    assert.match(topicDel.errorMessage!, /used by graph 'g'/);

    assert.equal((await client.request('DeleteGraph', { name: 'g' })).errorCode, ErrorCode.None);
    assert.equal((await client.request('DeleteGraph', { name: 'g' })).errorCode, ErrorCode.GraphNotFound);
    assert.equal((await client.request('DeleteSmartModule', { name: 'odd:2.0.0' })).errorCode, ErrorCode.None);
    assert.equal((await client.request('DeleteTopic', { name: 'out' })).errorCode, ErrorCode.None);
  }, { graphs: false }); // no graph runner: this test plays its part through setStatusSource
});

test('graphs survive a broker restart (metadata store kind graph)', async () => {
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { startBroker } = await import('../src/mod.ts');
  const { RawClient } = await import('./raw_client.ts');
  const dataDir = mkdtempSync(join(tmpdir(), 'eddy-graph-test-'));
  try {
    for (const round of [0, 1]) {
      const broker = await startBroker({ dataDir, port: 0, metricsPort: -1, logger: { level: 'silent' }, graphs: false });
      const client = await RawClient.connect(broker.port);
      try {
        if (round === 0) {
          await client.request('CreateTopic', { name: 'in', spec: topicSpec(), dryRun: false });
          await client.request('CreateTopic', { name: 'out', spec: topicSpec(), dryRun: false });
          await createModule(client, 'ident', '1.0.0', MAP_WASM);
          await createModule(client, 'odd', '2.0.0', ODD_WASM);
          assert.equal((await client.request('ApplyGraph', { spec: spec({ params: {}, lateTopic: null }), file: '', dryRun: false })).errorCode, ErrorCode.None);
        } else {
          const [g] = (await client.request('ListGraphs', { names: [] })).graphs;
          assert.equal(g.spec.definition, DEFINITION);
          assert.equal(g.status.operators.length, 4);
        }
      } finally {
        await client.close();
        await broker.close();
      }
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
