// The graph operator decorators: decorated plain functions become graph_* exports (run with the
// examples' eddy_graph test host), and each mistake is one compile error at the decorator.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildSmartModule, SmartModuleBuildError } from '../src/build.ts';
import { GraphInstance } from '../../../examples/graphs/harness.ts';

let tmp: string;
before(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sdk-graph-transform-'));
});
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const HEAD = 'import { Message, MessageBuilder, Hlc, ModuleConfiguration, fail, logger, stateStore, metrics, Labels, hlcNow, output } from "@eddy/smartmodule-sdk/graph";\n';
let n = 0;

async function build(index: string): Promise<WebAssembly.Module> {
  const dir = path.join(tmp, `g${n++}`);
  fs.mkdirSync(path.join(dir, 'assembly'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'assembly/index.ts'), index);
  const { wasm } = await buildSmartModule({ projectDir: dir });
  return WebAssembly.compile(new Uint8Array(wasm));
}

async function buildError(index: string): Promise<string> {
  const err = await build(index).then(
    () => assert.fail('expected a compile error'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof SmartModuleBuildError, String(err));
  return err.message.split('\n')[0].replace(/^asc failed to compile \S+: /, '');
}

const exportsOf = (m: WebAssembly.Module) => WebAssembly.Module.exports(m).map((e) => e.name).sort();

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
  const g = await GraphInstance.open(module, { now: { physical: 42, counter: 1, node: 9 } });
  assert.equal(g.init({}, 'g/op'), 'missing parameter suffix for g/op');
  assert.equal(g.init({ suffix: '!' }), null);

  const mapped = g.map([{ payload: 'hi', topic: 't', properties: { seen: 'no', x: '1' } }, { payload: 'same', kind: 'raw' }]);
  assert.deepEqual(mapped.map((m) => [m.text, m.topic, m.properties]), [['hi!', 't', [['seen', 'yes'], ['x', '1']]], ['same', '', []]]);
  assert.equal(mapped[1].kind, 'raw');

  assert.deepEqual(g.filter([{ payload: 'keep' }, { payload: 'drop' }, { payload: 'k' }]), [true, false, true]);
  assert.deepEqual(g.branch([{ payload: '', timestamp: 4 }, { payload: '', timestamp: 5 }]), [true, false]);
  assert.deepEqual(g.delay([{ payload: '', timestamp: { physical: 1000, counter: 2, node: 3 } }]), [{ physical: 1500, counter: 2, node: 3 }]);
  const back = g.call('graph_delay', (await import('../../../examples/graphs/harness.ts')).encodeBatch([{ payload: 'back', timestamp: 1000 }]));
  assert.equal(back.status, -1);
  assert.match(back.error!, /delay moved message 0 back in time: 1000\.0@0 -> 999\.0@0/);

  const acc = g.accumulate([{ payload: 'a', properties: { k: '1' } }, { payload: 'b' }]);
  assert.deepEqual([acc.topic, acc.text], ['out', 'a1b-']);
  assert.equal(g.getState('last'), 'a1b-');
  assert.deepEqual(g.metrics, [{ kind: 'counter', name: 'joined', labels: { op: 'join' }, value: 2 }]);
  assert.deepEqual(g.logs.at(-1), { level: 3, message: 'joined 2 at 42.1@9' });
});

test('fail(..) in an operator fails the call with its message; an abort reports through error', async () => {
  const module = await build(`${HEAD}
@filter_operator
function keep(input: Message): bool {
  if (input.payloadEquals("bad")) { fail("bad reading"); return false; }
  if (input.payloadEquals("boom")) throw new Error("exploded");
  return true;
}
`);
  assert.deepEqual(exportsOf(module), ['alloc', 'dealloc', 'graph_abi_version', 'graph_filter', 'memory']);
  const g = await GraphInstance.open(module);
  const { encodeBatch } = await import('../../../examples/graphs/harness.ts');
  const r = g.call('graph_filter', encodeBatch([{ payload: 'ok' }, { payload: 'bad' }]));
  assert.deepEqual([r.status, r.error, r.output], [-1, 'bad reading', null]);
  assert.deepEqual(g.filter([{ payload: 'ok' }]), [true]); // the next call starts clean
  assert.throws(() => g.call('graph_filter', encodeBatch([{ payload: 'boom' }])), WebAssembly.RuntimeError);
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
  const g = await GraphInstance.open(module);
  assert.equal(g.init({ tag: 'x' }), null);
  const out = g.map([{ payload: 'a', topic: 'tp', contentType: 'text/plain', properties: { p: '1' }, timestamp: 77 }, { payload: '', kind: 'raw' }]);
  assert.deepEqual(out.map((m) => [m.text, m.topic, m.contentType, m.properties, m.timestamp.physical]), [
    ['<a>', 'tp', 'text/plain', [['p', '1'], ['tag', 'x']], 77],
    ['<>', '', '', [['tag', 'x']], 0],
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
