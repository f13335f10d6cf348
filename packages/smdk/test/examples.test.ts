// Every example SmartModule (examples/smartmodules) through the real `smdk test` command: the
// exact lines it prints for sample input, with parameters (-e), look-back (-l/-r) and an initial
// accumulator where the example takes them, and the one error line where it refuses a record.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import os from 'node:os';
import path from 'node:path';
import { exampleNames, exampleWasm, EXAMPLES_DIR } from '../../../examples/smartmodules/build.ts';
import { lines, runSmdk } from './run_smdk.ts';

interface Case {
  example: string;
  /** What the case shows. */
  title: string;
  /** Records, one per stdin line. */
  input: string[];
  args?: string[];
  stdout: string[];
  /** The error line, for a case that ends in an error (exit 1). */
  error?: string;
}

const LOGS = [
  '{"level":"info","message":"Server listening on 0.0.0.0:8000"}',
  '{"level":"debug","message":"Deserializing request from client"}',
  '{ "message": "Client dropped connection", "level" : "warn" }',
  '{"level":"error","message":"Unable to connect to database"}',
];

const CASES: Case[] = [
  { example: 'filter', title: 'keeps values containing "a"', input: ['apple', 'fig', 'banana', 'kiwi', 'grape'], stdout: ['apple', 'banana', 'grape'] },
  { example: 'filter-odd', title: 'keeps even numbers', input: ['1', '2', '3', '4', '5', '6'], stdout: ['2', '4', '6'] },
  {
    example: 'filter-odd',
    title: 'a value that is not an integer: the records before it, then the error',
    input: ['2', 'five', '4'],
    stdout: ['2'],
    error: 'error: SmartModule "filter-odd" (filter) failed at offset 1: invalid integer in record value: "five"',
  },
  { example: 'filter-json', title: 'drops debug log lines', input: LOGS, stdout: [LOGS[0], LOGS[2], LOGS[3]] },
  {
    example: 'filter-json',
    title: 'a log line without a level is an error',
    input: ['{"message":"no level"}'],
    stdout: [],
    error: 'error: SmartModule "filter-json" (filter) failed at offset 0: log line has no string "level"',
  },
  { example: 'filter-init', title: 'keeps values containing -e key', input: ['banana', 'apple', 'mango', 'kiwi'], args: ['-e', 'key=an'], stdout: ['banana', 'mango'] },
  {
    example: 'filter-init',
    title: 'init refuses to start without key',
    input: ['banana'],
    stdout: [],
    error: 'error: SmartModule "filter-init" init failed: missing required parameter "key"',
  },
  { example: 'map-double', title: 'doubles integers', input: ['1', '21', '-7'], stdout: ['2', '42', '-14'] },
  { example: 'map-double', title: 'keeps the key (-k prints it)', input: ['4'], args: ['sensor-1', '-k'], stdout: ['[sensor-1] 8'] },
  {
    example: 'map-json',
    title: 'Celsius to Fahrenheit; other messages pass unchanged',
    input: ['{"topic":"sensors","value":{"temperature":100,"humidity":40}}', '{"value":{"temperature":-40}}', '{"value":{"pressure":1013}}', 'not json'],
    stdout: [
      '{"topic":"sensors","value":{"temperature_fahrenheit":212,"original_celsius":100}}',
      '{"value":{"temperature_fahrenheit":-40,"original_celsius":-40}}',
      '{"value":{"pressure":1013}}',
      'not json',
    ],
  },
  { example: 'filter-map', title: 'drops odd numbers, halves even ones', input: ['1', '2', '3', '40', '-8'], stdout: ['1', '20', '-4'] },
  {
    example: 'array-map-json',
    title: 'one record per array element',
    input: ['["Apple", "Banana"]', '[]', '[1, 2.5, {"a": [true, null]}]'],
    stdout: ['"Apple"', '"Banana"', '1', '2.5', '{"a":[true,null]}'],
  },
  {
    example: 'array-map-json',
    title: 'a value that is not an array is an error',
    input: ['[1]', '{"a":1}'],
    stdout: ['1'],
    error: 'error: SmartModule "array-map-json" (array_map) failed at offset 1: value is not a JSON array',
  },
  { example: 'aggregate-sum', title: 'running sum', input: ['1', '2', '3', '10'], stdout: ['1', '3', '6', '16'] },
  { example: 'aggregate-sum', title: 'running sum from --aggregate-initial', input: ['1', '2', '3', '10'], args: ['--aggregate-initial', '100'], stdout: ['101', '103', '106', '116'] },
  {
    example: 'aggregate-average',
    title: 'running average',
    input: ['10', '20', '30'],
    stdout: ['{"average":10,"count":1}', '{"average":15,"count":2}', '{"average":20,"count":3}'],
  },
  {
    example: 'aggregate-average',
    title: 'running average from --aggregate-initial',
    input: ['10', '1'],
    args: ['--aggregate-initial', '{"average":4,"count":2}'],
    stdout: ['{"average":6,"count":3}', '{"average":4.75,"count":4}'],
  },
  { example: 'look-back', title: 'keeps values greater than the last one kept', input: ['1', '5', '3', '4', '6'], stdout: ['1', '5', '6'] },
  {
    example: 'look-back',
    title: '--lookback-last 1 primes it with the newest -r record',
    input: ['9', '10', '11', '3', '12'],
    args: ['-r', '20', '-r', '10', '--lookback-last', '1'],
    stdout: ['11', '12'],
  },
  {
    example: 'look-back',
    title: '--lookback-last 2 feeds the two newest -r records, oldest first',
    input: ['5', '8', '25'],
    args: ['-r', '1', '-r', '30', '-r', '7', '-l', '2'],
    stdout: ['8', '25'],
  },
];

const wasmFile = (example: string) => path.join(EXAMPLES_DIR, example, 'build', `${example}.wasm`);

before(async () => {
  // in this process, one after another: only what is missing or stale is compiled
  for (const name of exampleNames()) await exampleWasm(name);
});

test('there is a case for every example', () => {
  assert.deepEqual([...new Set(CASES.map((c) => c.example))].sort(), exampleNames());
});

test('every example prints its expected output through smdk test', async () => {
  // two `smdk test` processes at a time: each starts Node and an engine worker
  let next = 0;
  const failures: string[] = [];
  const worker = async () => {
    while (next < CASES.length) {
      const c = CASES[next++];
      const r = await runSmdk(['test', '--stdin', '--wasm-file', wasmFile(c.example), ...(c.args ?? [])], { cwd: os.tmpdir(), input: c.input.join('\n') + '\n' });
      const got = { code: r.code, stdout: lines(r.stdout), stderr: lines(r.stderr) };
      const want = { code: c.error ? 1 : 0, stdout: c.stdout, stderr: c.error ? [c.error] : [] };
      try {
        assert.deepEqual(got, want);
      } catch {
        failures.push(`${c.example}: ${c.title}\n  expected ${JSON.stringify(want)}\n  got      ${JSON.stringify(got)}`);
      }
    }
  };
  await Promise.all([worker(), worker()]);
  assert.deepEqual(failures, []);
});
