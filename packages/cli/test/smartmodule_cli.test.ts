// SmartModules end to end: the real `eddy` CLI against a real broker process (`eddy cluster
// start`), with the example modules registered by `eddy smartmodule create`. One broker and
// one build of the examples for the whole file.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Eddy, Offset } from '@eddy/client';
import type { RecordStream } from '@eddy/client';
import { exampleNames, exampleWasm, EXAMPLES_DIR } from '../../../examples/smartmodules/build.ts';
import { INFINITE_LOOP, TRAP, MEMORY_HOG } from '../../smartengine/test/wat_modules.ts';
import { eddy, ok, oneLineError, tempHome, jsonLines } from './helpers.ts';

const home = tempHome();
/** Sets topics up quickly (the CLI is what is tested on the consume and produce side). */
let client: Eddy;
const run = (args: string[], input?: string) => eddy(args, { home, input, timeoutMs: 60_000 });
/** Records of `topic` as values, through the given SmartModule flags. */
const consume = async (topic: string, flags: string[]) => ok(await run(['consume', topic, '-B', '-d', ...flags])).stdout.split('\n').filter((l) => l !== '');

before(async () => {
  const built: string[] = [];
  for (const name of exampleNames()) built.push((await exampleWasm(name)) && name);
  ok(await run(['cluster', 'start', '--port', '0', '--metrics-port', '-1', '--sm-time-budget', '500ms', '--sm-memory', '32MiB']));
  await Promise.all(built.map(async (name) => {
    const file = path.join(EXAMPLES_DIR, name, 'build', `${name}.wasm`);
    assert.match(ok(await run(['smartmodule', 'create', name, '--wasm-file', file])).stdout, new RegExp(`smartmodule "${name}" created`));
  }));
  client = await Eddy.connect({ endpoint: JSON.parse(ok(await run(['profile', 'current', '-O', 'json'])).stdout).endpoint });
});

after(async () => {
  await client?.close();
  await run(['cluster', 'stop']);
  fs.rmSync(home, { recursive: true, force: true });
});

/** Creates `topic` holding `lines`, one record each, in one batch. */
async function topicWith(topic: string, lines: string[]): Promise<void> {
  await client.admin().createTopic(topic);
  const producer = await client.producer(topic);
  await producer.sendBatch(lines.map((value) => ({ value })));
  await producer.close();
}

const LOGS = [
  '{"level":"info","message":"Server listening on 0.0.0.0:8000"}',
  '{"level":"debug","message":"Deserializing request from client"}',
  '{ "message": "Client dropped connection", "level" : "warn" }',
  '{"level":"error","message":"Unable to connect to database"}',
];

/** Every example through `eddy consume --smartmodule NAME`: input lines, extra flags, expected output. */
const CASES: { example: string; input: string[]; flags?: string[]; expected: string[] | ((out: string[]) => void) }[] = [
  { example: 'filter', input: ['apple', 'fig', 'banana', 'kiwi', 'grape'], expected: ['apple', 'banana', 'grape'] },
  { example: 'filter-odd', input: ['1', '2', '3', '4', '5', '6'], expected: ['2', '4', '6'] },
  { example: 'filter-json', input: LOGS, expected: [LOGS[0], LOGS[2], LOGS[3]] },
  { example: 'filter-init', input: ['banana', 'apple', 'mango', 'kiwi'], flags: ['-e', 'key=an'], expected: ['banana', 'mango'] },
  { example: 'map-double', input: ['1', '21', '-7'], expected: ['2', '42', '-14'] },
  {
    example: 'map-json',
    input: ['{"topic":"sensors","value":{"temperature":100,"humidity":40}}', '{"value":{"temperature":-40}}'],
    expected: (out) => assert.deepEqual(out.map((l) => JSON.parse(l)), [
      { topic: 'sensors', value: { temperature_fahrenheit: 212, original_celsius: 100 } },
      { value: { temperature_fahrenheit: -40, original_celsius: -40 } },
    ]),
  },
  { example: 'filter-map', input: ['1', '2', '3', '40', '-8'], expected: ['1', '20', '-4'] },
  { example: 'array-map-json', input: ['["Apple", "Banana"]', '[]', '[1, 2.5, {"a": [true, null]}]'], expected: ['"Apple"', '"Banana"', '1', '2.5', '{"a":[true,null]}'] },
  { example: 'aggregate-sum', input: ['1', '2', '3', '10'], expected: ['1', '3', '6', '16'] },
  {
    example: 'aggregate-average',
    input: ['10', '20', '30'],
    expected: (out) => assert.deepEqual(out.map((l) => JSON.parse(l)), [{ average: 10, count: 1 }, { average: 15, count: 2 }, { average: 20, count: 3 }]),
  },
  { example: 'look-back', input: ['1', '5', '3', '4'], expected: ['1', '5'] },
];

test('every example gives its expected output through eddy consume --smartmodule', async () => {
  assert.deepEqual(CASES.map((c) => c.example).sort(), exampleNames(), 'a case per example');
  await Promise.all(CASES.map(async (c) => {
    const topic = `ex-${c.example}`;
    await topicWith(topic, c.input);
    const out = await consume(topic, ['--smartmodule', c.example, ...(c.flags ?? [])]);
    if (typeof c.expected === 'function') c.expected(out);
    else assert.deepEqual(out, c.expected, c.example);
  }));
});

test('params, aggregate initial value and look-back flags', async () => {
  const mapDouble = path.join(EXAMPLES_DIR, 'map-double', 'build', 'map-double.wasm');
  await Promise.all([
    // -e reaches init; without the parameter init refuses, with its own hint.
    consume('ex-filter-init', ['--smartmodule', 'filter-init', '-e', 'key=ki', '-e', 'other=x=y']).then((out) => assert.deepEqual(out, ['kiwi'])),
    run(['consume', 'ex-filter-init', '-B', '-d', '--smartmodule', 'filter-init']).then((r) => assert.match(oneLineError(r), /^error: SmartModule "filter-init" init failed: .*key/)),
    consume('ex-aggregate-sum', ['--smartmodule', 'aggregate-sum', '--aggregate-initial', '100']).then((out) => assert.deepEqual(out, ['101', '103', '106', '116'])),
    // Look-back primes the module with the last records (…, 3, 4): only 5 is greater than 4.
    consume('ex-look-back', ['--smartmodule', 'look-back', '--lookback-last', '2']).then((out) => assert.deepEqual(out, ['5'])),
    consume('ex-look-back', ['--smartmodule', 'look-back', '--lookback-last', '1']).then((out) => assert.deepEqual(out, ['5'])),
    consume('ex-look-back', ['--smartmodule', 'look-back', '--lookback-age', '1h']).then((out) => assert.deepEqual(out, ['5'])),
    // A module given as a file, not registered.
    consume('ex-map-double', ['--smartmodule-path', mapDouble, '-O', 'json']).then((out) => assert.deepEqual(out.map((r) => JSON.parse(r).value), ['2', '42', '-14'])),
  ]);
});

test('a chain (filter then map) with --transforms-line and --transforms FILE', async () => {
  await topicWith('chain', ['1', '2', '3', '4', '5', '6']);
  const line = (uses: string) => JSON.stringify({ uses });
  const out = ok(await run(['consume', 'chain', '-B', '-d', '--transforms-line', line('filter-odd'), '--transforms-line', line('map-double'), '-O', 'json']));
  assert.deepEqual(jsonLines<{ offset: number; value: string }>(out.stdout).map((r) => [r.offset, r.value]), [[1, '4'], [3, '8'], [5, '12']]);

  const file = path.join(home, 'transforms.yaml');
  fs.writeFileSync(file, 'transforms:\n  - uses: filter-init\n    with:\n      key: "1"\n  - uses: aggregate-sum\n');
  // filter-init keeps values containing "1", aggregate-sum adds them up.
  await topicWith('chain-file', ['1', '2', '10', '11', '3']);
  assert.deepEqual(await consume('chain-file', ['--transforms', file]), ['1', '11', '22']);
  assert.deepEqual(await consume('chain-file', ['-t', file]), ['1', '11', '22']);
});

test('producer-side SmartModules: eddy produce --smartmodule map-double', async () => {
  await client.admin().createTopic('doubled');
  ok(await run(['produce', 'doubled', '--smartmodule', 'map-double'], '1\n2\n3\n'));
  ok(await run(['produce', 'doubled', '--transforms-line', '{"uses":"filter-odd"}', '--transforms-line', '{"uses":"map-double"}'], '5\n6\n7\n8\n'));
  assert.deepEqual(await consume('doubled', []), ['2', '4', '6', '12', '16']);
  // A record the module rejects: nothing of that batch is written, one line names the module, record and hint.
  const line = oneLineError(await run(['produce', 'doubled', '--smartmodule', 'map-double'], 'ten\n'));
  assert.match(line, /^error: .*SmartModule "map-double" \(map\) failed at offset 0\b.*: invalid integer in record value: "ten" \(0 of 1 records acknowledged; all 1 input line read\)$/);
  assert.deepEqual(await consume('doubled', []), ['2', '4', '6', '12', '16']);
});

test('a record a module rejects: the records before it, then one line naming the module, offset and hint', async () => {
  await topicWith('rejects', ['2', '4', 'five', '6']);
  const r = await run(['consume', 'rejects', '-B', '-d', '--smartmodule', 'filter-odd']);
  assert.equal(r.stdout, '2\n4\n');
  assert.match(oneLineError(r), /^error: SmartModule "filter-odd" \(filter\) failed at offset 2 in 'rejects' partition 0: invalid integer in record value: "five"$/);
});

test('bad SmartModule flags and transforms: one-line errors', async () => {
  const file = path.join(home, 'bad-transforms.yaml');
  fs.writeFileSync(file, 'transforms:\n  - uses: filter\n  - uses: look-back\n    lookback:\n      last: many\n');
  const cases: [string[], RegExp][] = [
    [['-e', 'key=a'], /-e\/--params needs --smartmodule or --smartmodule-path/],
    [['--smartmodule', 'filter', '-e', 'novalue'], /--params.*'novalue'.*key=value/],
    [['--lookback-last', '2'], /--lookback-last needs --smartmodule/],
    [['--smartmodule', 'filter', '--lookback-last', 'two'], /--lookback-last.*'two'/],
    [['--smartmodule', 'filter', '--smartmodule-path', 'x.wasm'], /--smartmodule.*cannot be used with.*--smartmodule-path/],
    [['--smartmodule', 'filter', '--transforms-line', '{"uses":"filter"}'], /cannot be used with/],
    [['--smartmodule', 'no-such-module'], /no-such-module/],
    [['--smartmodule-path', path.join(home, 'missing.wasm')], /cannot read '.*missing\.wasm': no such file/],
    [['--transforms', path.join(home, 'missing.yaml')], /cannot read '.*missing\.yaml': no such file/],
    [['--transforms-line', '{"with":{}}'], /^error: --transforms-line #1\.uses is required/],
    [['--transforms-line', '{"uses":"filter"'], /^error: --transforms-line #1: not valid JSON/],
    [['--transforms', file], /^error: .*bad-transforms\.yaml: transforms\[1\]\.lookback\.last must be a non-negative integer, got "many"$/],
  ];
  await Promise.all(cases.map(async ([args, re]) => {
    assert.match(oneLineError(await run(['consume', 'ex-filter', '-B', '-d', ...args])), re, args.join(' '));
  }));
  // produce checks the same flags before it reads any input.
  assert.match(oneLineError(await run(['produce', 'ex-filter', '--aggregate-initial', '1'], 'x\n')), /--aggregate-initial needs --smartmodule/);
});

test('sandbox: a looping, trapping or memory-hungry module and a file that is not wasm fail only their own consumer', async () => {
  const dir = fs.mkdtempSync(path.join(home, 'bad-modules-'));
  const files: Record<string, string> = {};
  for (const [name, bytes] of Object.entries({ 'loop.wasm': INFINITE_LOOP, 'trap.wasm': TRAP, 'hog.wasm': MEMORY_HOG, 'notes.txt': Buffer.from('this is not a SmartModule\n') })) {
    files[name] = path.join(dir, name);
    fs.writeFileSync(files[name], bytes);
  }
  await topicWith('sandbox', ['apple', 'banana']);
  await client.admin().createTopic('live');

  // A second consumer on the same broker, with a broker-side SmartModule of its own.
  const stream: RecordStream = client.consumer('live').stream(Offset.beginning(), { smartmodules: [{ name: 'filter' }] });
  const seen: string[] = [];
  const waiting = { wake: null as (() => void) | null };
  const reading = (async () => {
    for await (const r of stream) {
      seen.push(r.value.toString());
      waiting.wake?.();
    }
  })();
  const received = async (value: string) => {
    ok(await run(['produce', 'live'], `${value}\nkiwi-dropped\n`));
    // A liveness guard, not a timing check: fail with a message instead of hanging.
    const deadline = Date.now() + 30_000;
    while (!seen.includes(value)) {
      if (Date.now() > deadline) assert.fail(`the second consumer never received '${value}' (got ${JSON.stringify(seen)})`);
      await new Promise<void>((resolve) => {
        waiting.wake = resolve;
        setTimeout(resolve, 1000).unref();
      });
    }
  };
  try {
    await received('a-before');
    const expectations: [string, RegExp][] = [
      ['loop.wasm', /^error: SmartModule "loop\.wasm" did not return within its time budget of 500 ms$/],
      ['trap.wasm', /^error: SmartModule "trap\.wasm" trapped: unreachable/],
      ['hog.wasm', /^error: SmartModule "hog\.wasm" exceeded its memory limit of 32 MiB/],
      ['notes.txt', /^error: SmartModule "notes\.txt" cannot be loaded: not a WebAssembly module/],
    ];
    for (const [file, re] of expectations) {
      const r = await run(['consume', 'sandbox', '-B', '-d', '--smartmodule-path', files[file]]);
      assert.equal(r.stdout, '', file);
      assert.match(oneLineError(r), re);
      await received(`a-after-${file}`);
    }
    // The broker still runs SmartModules for everyone.
    assert.deepEqual(await consume('sandbox', ['--smartmodule', 'filter']), ['apple', 'banana']);
    assert.deepEqual(seen, ['a-before', 'a-after-loop.wasm', 'a-after-trap.wasm', 'a-after-hog.wasm', 'a-after-notes.txt']);
  } finally {
    await stream.return();
    await reading;
  }
});
