import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decode, encode } from '../codec/schema.ts';
import { DecodeError } from '../codec/decode_error.ts';
import { Apis, apiByKey } from '../apis.ts';
import { ApiKey } from '../api_key.ts';
import { ApplyGraphRequest, DescribeGraphResponse, Graph, GraphSpec, ListGraphsResponse } from './graph_admin.ts';
import type { Graph as GraphT, GraphSpec as GraphSpecT } from './graph_admin.ts';
import { SmartModuleMetaV0 } from './smartmodule_admin.ts';

const spec: GraphSpecT = {
  name: 'g', definition: 'a: 1\n', sources: ['in'], sink: 'out', params: { 'op.k': 'v' }, state: {},
  allowedLatenessMs: 5000, lateTopic: null, createdMs: 7,
};

test('golden bytes: GraphSpec (u32-length definition, u16 strings, u32 arrays, u16 maps, option flag)', () => {
  const hex = encode(GraphSpec, spec).toBuffer().toString('hex');
  assert.equal(hex,
    '0001' + '67' + // name
    '00000005' + '613a20310a' + // definition: u32 length + UTF-8
    '00000001' + '0002' + '696e' + // sources
    '0003' + '6f7574' + // sink
    '0001' + '0004' + '6f702e6b' + '0001' + '76' + // params
    '0000' + // state
    '0000000000001388' + // allowedLatenessMs
    '00' + // lateTopic: none
    '0000000000000007'); // createdMs
});

test('golden bytes: a module version with its kind and operators (v0 layout, as WatchMetadata carries it)', () => {
  const m = { name: 'm', spec: { version: '1', description: '', exports: ['graph_map'], kind: 'graph-operator', operators: ['map'], sizeBytes: 1, sha256: 'x', createdMs: 2, abiVersion: null } };
  assert.equal(encode(SmartModuleMetaV0, m).toBuffer().toString('hex'),
    '0001' + '6d' + '0001' + '31' + '0000' + '00000001' + '0009' + Buffer.from('graph_map').toString('hex') +
    '000e' + Buffer.from('graph-operator').toString('hex') + '00000001' + '0003' + '6d6170' +
    '0000000000000001' + '0001' + '78' + '0000000000000002');
});

test('the graph APIs are registered with their keys', () => {
  assert.equal(Apis.ApplyGraph.key, ApiKey.ApplyGraph);
  for (const k of [ApiKey.ApplyGraph, ApiKey.ListGraphs, ApiKey.DescribeGraph, ApiKey.DeleteGraph]) assert.ok(apiByKey(k), String(k));
  assert.equal(new Set(Object.values(ApiKey)).size, Object.values(ApiKey).length, 'keys are unique');
});

const str = fc.string({ maxLength: 12 });
const i64 = fc.integer({ min: -(2 ** 40), max: 2 ** 40 });
const nullable = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: null });
const arbSpec: fc.Arbitrary<GraphSpecT> = fc.record({
  name: str,
  definition: fc.string({ maxLength: 300, unit: 'binary' }),
  sources: fc.array(str, { maxLength: 3 }),
  sink: str,
  params: fc.dictionary(str, str, { maxKeys: 4 }),
  state: fc.dictionary(str, str, { maxKeys: 4 }),
  allowedLatenessMs: i64,
  lateTopic: nullable(str),
  createdMs: i64,
});
const arbGraph: fc.Arbitrary<GraphT> = fc.record({
  name: str,
  spec: arbSpec,
  status: fc.record({
    state: fc.constantFrom('starting', 'running', 'failed', 'stopped'),
    error: nullable(str),
    operators: fc.array(fc.record({ name: str, type: str, module: nullable(str), recordsIn: i64, recordsOut: i64 }), { maxLength: 4 }),
    instances: fc.array(fc.record({
      partition: fc.integer({ min: 0, max: 1000 }),
      state: str,
      error: nullable(str),
      positions: fc.array(fc.record({ topic: str, partition: fc.integer({ min: 0, max: 1000 }), offset: i64 }), { maxLength: 3 }),
      frontierMs: nullable(i64),
      frontierLagMs: nullable(i64),
      lateMessages: i64,
      checkpointMs: nullable(i64),
    }), { maxLength: 3 }),
  }),
});

/** Maps decode into null-prototype-free plain objects; compare through JSON. */
const plain = (v: unknown) => JSON.parse(JSON.stringify(v));

test('round trips: Graph, ApplyGraphRequest, ListGraphsResponse, DescribeGraphResponse', () => {
  fc.assert(fc.property(arbGraph, fc.boolean(), (g, dryRun) => {
    assert.deepEqual(plain(decode(Graph, encode(Graph, g).toBuffer())), plain(g));
    assert.deepEqual(plain(decode(ApplyGraphRequest, encode(ApplyGraphRequest, { spec: g.spec, file: g.name, dryRun }).toBuffer())), plain({ spec: g.spec, file: g.name, dryRun }));
    const list = { errorCode: 0, errorMessage: null, graphs: [g, g] };
    assert.deepEqual(plain(decode(ListGraphsResponse, encode(ListGraphsResponse, list).toBuffer())), plain(list));
    const one = { errorCode: 0, errorMessage: null, graph: g };
    assert.deepEqual(plain(decode(DescribeGraphResponse, encode(DescribeGraphResponse, one).toBuffer())), plain(one));
  }), { numRuns: 200 });
});

test('a definition longer than 64 KiB survives (u32 length)', () => {
  const big = { ...spec, definition: 'x'.repeat(70_000) + 'é' };
  assert.equal(decode(GraphSpec, encode(GraphSpec, big).toBuffer()).definition, big.definition);
});

test('every truncation of a Graph is a DecodeError', () => {
  const g: GraphT = {
    name: 'g', spec,
    status: {
      state: 'running', error: null, operators: [{ name: 'm', type: 'map', module: 'temp:1.0.0', recordsIn: 3, recordsOut: 3 }],
      instances: [{ partition: 0, state: 'running', error: null, positions: [{ topic: 'in', partition: 0, offset: 3 }], frontierMs: 10, frontierLagMs: null, lateMessages: 0, checkpointMs: 9 }],
    },
  };
  const full = encode(Graph, g).toBuffer();
  for (let n = 0; n < full.length; n++) assert.throws(() => decode(Graph, full.subarray(0, n)), DecodeError);
});
