// The graph operator decorators: decorated plain functions become graph_* exports (run in
// @eddy/dataflow's own OperatorInstance through the examples' test harness), and each mistake is
// one compile error at the decorator.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { GraphOperatorError, KIND_MESSAGE, KIND_RAW, compileOperatorModule, type CompiledOperatorModule } from '@eddy/dataflow';
import { buildSmartModule, SmartModuleBuildError } from '../src/build.ts';
import { TestHost, accumulated, batchOf, flags, openOperatorFrom, props, refusal, text, timestamps } from '../../../examples/graphs/harness.ts';

let tmp: string;
before(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sdk-graph-transform-'));
});
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const HEAD = 'import { Message, MessageBuilder, Hlc, ModuleConfiguration, fail, logger, stateStore, metrics, Labels, hlcNow, output } from "@eddy/smartmodule-sdk/graph";\n';
let n = 0;

async function build(index: string): Promise<CompiledOperatorModule> {
  const dir = path.join(tmp, `g${n++}`);
  fs.mkdirSync(path.join(dir, 'assembly'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'assembly/index.ts'), index);
  const { wasm } = await buildSmartModule({ projectDir: dir });
  // The host's own module check (imports only eddy_graph, ABI exports present) runs here.
  return compileOperatorModule(`g${n - 1}:1.0.0`, new Uint8Array(wasm));
}

async function buildError(index: string): Promise<string> {
  const err = await build(index).then(
    () => assert.fail('expected a compile error'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof SmartModuleBuildError, String(err));
  return err.message.split('\n')[0].replace(/^asc failed to compile \S+: /, '');
}

const exportsOf = (m: CompiledOperatorModule) => WebAssembly.Module.exports(m.module).map((e) => e.name).sort();
const importsOf = (m: CompiledOperatorModule) => [...new Set(WebAssembly.Module.imports(m.module).map((i) => i.module))];

/** Runs `f`, which must throw a GraphOperatorError; returns it. */
function operatorError(f: () => unknown): GraphOperatorError {
  try {
    f();
  } catch (err) {
    assert.ok(err instanceof GraphOperatorError, String(err));
    return err;
  }
  return assert.fail('expected a GraphOperatorError');
}

test('every graph decorator in one module makes its graph_* export; the module imports only eddy_graph', async () => {
  const module = await build(`${HEAD}
let suffix = "";
@operator_init
function setup(config: ModuleConfiguration): bool {
  const s = config.get("suffix");
  if (s === null) { fail("missing parameter suffix for " + config.operationName); return false; }
  suffix = s;
  return true;
}
@map_operator
function shout(input: Message): Message {
  if (input.payloadEquals("same")) return input;
  return input.toBuilder().setPayloadString(input.payloadString() + suffix).setProperty("seen", "yes").build();
}
@filter_operator
function keep(input: Message): bool { return input.payloadStartsWith("k"); }
@branch_operator
function even(input: Message, timestamp: Hlc): bool { return timestamp.physical % 2 == 0; }
@delay_operator
function later(input: Message, timestamp: Hlc): Hlc {
  if (input.payloadEquals("back")) return new Hlc(timestamp.physical - 1, 0, 0);
  return new Hlc(timestamp.physical + 500, timestamp.counter, timestamp.node);
}
@accumulate_operator
function join(staged: Message, inputs: Message[]): Message {
  let s = "";
  for (let i = 0; i < inputs.length; i++) {
    const k = inputs[i].property("k");
    s += inputs[i].payloadString() + (k !== null ? k : "-");
  }
  stateStore.set("last", s);
  metrics.addToCounter("joined", <f64>inputs.length, new Labels().add("op", "join"));
  logger.warn("joined " + inputs.length.toString() + " at " + hlcNow().toString());
  return Message.builder().setTopic("out").setPayloadString(s).build();
}
`);
  assert.deepEqual(exportsOf(module), ['alloc', 'dealloc', 'graph_abi_version', 'graph_accumulate', 'graph_branch', 'graph_delay', 'graph_filter', 'graph_init', 'graph_map', 'memory']);
  assert.deepEqual(importsOf(module), ['eddy_graph']);
  assert.deepEqual([...module.provides].sort(), ['accumulate', 'branch', 'delay', 'filter', 'map']);
  assert.equal(module.hasInit, true);

  // One operation per operator type (as a graph uses a module), all on one host: one clock, one state store.
  const host = new TestHost(9, { physical: 42n, counter: 1, node: 9 });
  const open = (type: 'map' | 'filter' | 'branch' | 'delay' | 'accumulate', operation?: string) => openOperatorFrom(module, type, { host, operation }).op;

  const map = open('map', 'g/op');
  assert.equal(refusal(map, {}), 'missing parameter suffix for g/op');
  assert.equal(refusal(map, { suffix: '!' }), null);
  const mapped = map.map(batchOf([
    { payload: 'hi', topic: 't', timestamp: { physical: 7n, counter: 2, node: 1 }, properties: { seen: 'no', x: '1' } },
    { payload: 'same', kind: 'raw' },
  ]));
  assert.equal(mapped.count, 2);
  const m0 = mapped.decode(0);
  const m1 = mapped.decode(1);
  assert.deepEqual([text(m0), m0.topic, props(m0)], ['hi!', 't', [['seen', 'yes'], ['x', '1']]]);
  assert.deepEqual([text(m1), m1.topic, props(m1)], ['same', '', []]);
  assert.equal(m1.kind, KIND_RAW);
  assert.equal(m0.kind, KIND_MESSAGE);
  // The host keeps each input's timestamp on map's output.
  assert.deepEqual(m0.timestamp, { physical: 7n, counter: 2, node: 1 });

  // Each operation is its own instance of the module, configured on its own.
  const filter = open('filter');
  assert.equal(refusal(filter, {}), 'missing parameter suffix for test/filter');
  assert.equal(refusal(filter, { suffix: '?' }), null);
  assert.deepEqual(flags(filter.decide(batchOf([{ payload: 'keep' }, { payload: 'drop' }, { payload: 'k' }]))), [true, false, true]);

  const branch = open('branch');
  assert.deepEqual(flags(branch.decide(batchOf([{ payload: '', timestamp: { physical: 4n } }, { payload: '', timestamp: { physical: 5n } }]))), [true, false]);

  const delay = open('delay');
  assert.deepEqual(timestamps(delay.delay(batchOf([{ payload: '', timestamp: { physical: 1000n, counter: 2, node: 3 } }]))), [{ physical: 1500n, counter: 2, node: 3 }]);
  // The SDK's own check refuses a delay back in time before the host sees it: the call fails with its words.
  const back = operatorError(() => delay.delay(batchOf([{ payload: 'back', timestamp: 1000 }])));
  assert.equal(back.failure, 'failed');
  assert.match(back.message, /^operation "test\/delay" failed: delay moved message 0 back in time: 1000000000\.0@0 -> 999999999\.0@0$/);

  const acc = open('accumulate');
  const joined = accumulated(acc.accumulate(batchOf([{ payload: 'a', properties: { k: '1' }, timestamp: 60 }, { payload: 'b', timestamp: 60 }])));
  assert.deepEqual([joined.topic, text(joined), joined.timestamp.physical], ['out', 'a1b-', 60_000_000n]);
  assert.equal(Buffer.from(host.state.get(Buffer.from('last')) ?? []).toString(), 'a1b-');
  assert.deepEqual(host.metrics, [{ operation: 'test/accumulate', kind: 'counter', name: 'joined', labels: { op: 'join' }, value: 2 }]);
  assert.deepEqual(host.logs.at(-1), { operation: 'test/accumulate', level: 3, message: 'joined 2 at 42.1@9' });
});

test('fail(..) in an operator fails the call with its message; an abort reports through error and traps', async () => {
  const module = await build(`${HEAD}
@filter_operator
function keep(input: Message): bool {
  if (input.payloadEquals("bad")) { fail("bad reading"); return false; }
  if (input.payloadEquals("boom")) throw new Error("exploded");
  return true;
}
`);
  assert.deepEqual(exportsOf(module), ['alloc', 'dealloc', 'graph_abi_version', 'graph_filter', 'memory']);
  assert.equal(module.hasInit, false);
  const { op } = openOperatorFrom(module, 'filter');
  op.init({ ignored: 'x' }); // no graph_init: nothing to refuse
  const bad = operatorError(() => op.decide(batchOf([{ payload: 'ok' }, { payload: 'bad' }])));
  assert.equal(bad.failure, 'failed');
  assert.equal(bad.message, 'operation "test/filter" failed: bad reading');
  assert.deepEqual(flags(op.decide(batchOf([{ payload: 'ok' }]))), [true]); // the next call starts clean
  const boom = operatorError(() => op.decide(batchOf([{ payload: 'boom' }])));
  assert.equal(boom.failure, 'trap');
  // The SDK's abort handler reports the message through `error` before it traps.
  assert.match(boom.message, /^operation "test\/filter" trapped in graph_filter: aborted: exploded \(assembly\/index\.ts:\d+:\d+\) \(.+\)$/);
  assert.ok(boom.cause instanceof WebAssembly.RuntimeError, String(boom.cause));
});

test('a hand-written entry point over the low-level batch API builds next to a decorated init', async () => {
  const module = await build(`${HEAD}import { beginCall, endCall, batchFirst, nextMessage, msgPayloadPtr, msgPayloadLength } from "@eddy/smartmodule-sdk/graph";
let tag = "";
@operator_init
function setup(config: ModuleConfiguration): bool { tag = config.getOr("tag", "t"); return true; }
export function graph_map(ptr: i32, len: i32): i32 {
  const n = beginCall(ptr, len, "map");
  if (n < 0) return n;
  output.beginBatch();
  let p = batchFirst(<usize>ptr);
  for (let i = 0; i < n; i++) {
    output.beginMessage(p);
    output.payloadByte(0x3c);
    output.payloadBytes(msgPayloadPtr(p), <usize>msgPayloadLength(p));
    output.payloadByte(0x3e);
    output.copyProperties(p);
    output.property("tag", tag);
    output.endMessage();
    p = nextMessage(p);
  }
  return endCall();
}
`);
  assert.deepEqual(exportsOf(module), ['alloc', 'dealloc', 'graph_abi_version', 'graph_init', 'graph_map', 'memory']);
  const { op } = openOperatorFrom(module, 'map');
  assert.equal(refusal(op, { tag: 'x' }), null);
  const out = op.map(batchOf([{ payload: 'a', topic: 'tp', contentType: 'text/plain', properties: { p: '1' }, timestamp: 77 }, { payload: '', kind: 'raw' }]));
  assert.equal(out.count, 2);
  const ms = [out.decode(0), out.decode(1)];
  assert.deepEqual(ms.map((m) => [text(m), m.topic, m.contentType, props(m), m.kind, m.timestamp.physical]), [
    ['<a>', 'tp', 'text/plain', [['p', '1'], ['tag', 'x']], KIND_MESSAGE, 77_000_000n],
    ['<>', '', '', [['tag', 'x']], KIND_MESSAGE, 0n], // raw input, but a message once it has a property (ABI.md)
  ]);
});

test('graph decorator mistakes are one compile error each', async () => {
  const cases: Array<[string, string]> = [
    [
      `@map_operator\nfunction a(input: Message): bool { return true; }\n`,
      "assembly/index.ts(3,29): Transform '@eddy/smartmodule-sdk': @map_operator function a must return Message, not bool: (input: Message): Message",
    ],
    [
      `@filter_operator\nfunction a(input: Message): i32 { return 1; }\n`,
      "assembly/index.ts(3,29): Transform '@eddy/smartmodule-sdk': @filter_operator function a must return bool, not i32 (true keeps the message): (input: Message): bool",
    ],
    [
      `@branch_operator\nfunction a(input: Message): bool { return true; }\n`,
      "assembly/index.ts(3,11): Transform '@eddy/smartmodule-sdk': @branch_operator function a must take 2 parameters: (input: Message, timestamp: Hlc): bool",
    ],
    [
      `@delay_operator\nfunction a(input: Message, t: u64): Hlc { return new Hlc(); }\n`,
      "assembly/index.ts(3,31): Transform '@eddy/smartmodule-sdk': @delay_operator function a: parameter t must be a Hlc, not u64: (input: Message, timestamp: Hlc): Hlc",
    ],
    [
      `@accumulate_operator\nfunction a(staged: Message, inputs: Message): Message { return staged; }\n`,
      "assembly/index.ts(3,37): Transform '@eddy/smartmodule-sdk': @accumulate_operator function a: parameter inputs must be a Message[], not Message: (staged: Message, inputs: Message[]): Message",
    ],
    [
      `@operator_init\nfunction s(c: ModuleConfiguration): void {}\n@filter_operator\nfunction a(input: Message): bool { return true; }\n`,
      "assembly/index.ts(3,37): Transform '@eddy/smartmodule-sdk': @operator_init function s must return bool, not void (false refuses the configuration): (configuration: ModuleConfiguration): bool",
    ],
    [
      `@operator_init\nfunction s(c: ModuleConfiguration): bool { return true; }\n`,
      "assembly/index.ts(2,1): Transform '@eddy/smartmodule-sdk': @operator_init s needs an operator in the same module: add one of @map_operator, @filter_operator, @branch_operator, @delay_operator, @accumulate_operator",
    ],
    [
      `@filter_operator\nfunction a(input: Message): bool { return true; }\n@filter_operator\nfunction b(input: Message): bool { return false; }\n`,
      "assembly/index.ts(4,1): Transform '@eddy/smartmodule-sdk': more than one @filter_operator in one module (@filter_operator a, @filter_operator b): a module provides each operator type once",
    ],
    [
      `@mapOperator\nfunction a(input: Message): Message { return input; }\n`,
      "assembly/index.ts(2,1): Transform '@eddy/smartmodule-sdk': unknown decorator @mapOperator on function a: did you mean @map_operator? (graph operator decorators are @map_operator, @filter_operator, @branch_operator, @delay_operator, @accumulate_operator, @operator_init)",
    ],
    [
      `import { SmartModuleRecord } from "@eddy/smartmodule-sdk";\n@filter_operator\nfunction a(input: Message): bool { return true; }\n@filter\nfunction b(r: SmartModuleRecord): bool { return true; }\n`,
      "assembly/index.ts(5,1): Transform '@eddy/smartmodule-sdk': graph operator and SmartModule decorators in one module (@filter_operator a, @filter b): a module is either a graph operator module or a SmartModule",
    ],
    [
      `@map_operator\nexport function graph_map(input: Message): Message { return input; }\n`,
      "assembly/index.ts(3,17): Transform '@eddy/smartmodule-sdk': @map_operator function graph_map is exported under an ABI export's name: remove its \"export\" (or rename it)",
    ],
  ];
  for (const [source, expected] of cases) {
    assert.equal(await buildError(HEAD + source), expected);
  }
});

test('garbage an operator makes per message is collected between calls (a long stream stays under the memory cap)', async () => {
  // Each call makes ~1 MB of strings and messages; 300 calls make ~300 MB, far past the host's
  // 64 MiB cap per instance, which only collection between calls keeps the module under.
  const module = await build(`${HEAD}
@map_operator
function pad(input: Message): Message {
  return input.toBuilder().setPayloadString(input.payloadString() + "x".repeat(1000)).build();
}
`);
  const { op } = openOperatorFrom(module, 'map');
  assert.equal(refusal(op, {}), null);
  const batch = batchOf(Array.from({ length: 500 }, (_, i) => ({ payload: `m${i}` })));
  for (let call = 0; call < 300; call++) {
    const out = op.map(batch);
    assert.equal(out.count, 500);
  }
  assert.equal(text(op.map(batch).decode(499)), `m499${'x'.repeat(1000)}`);
});
