import type { Command } from 'commander';
import { encodeRecordsSection, visitRecords, type RecordInput } from '@eddy/protocol';
import { resolveArtifact } from '../artifact.ts';
import { SmdkError } from '../errors.ts';
import { collect, paramsRecord } from '../params.ts';
import { readTestValues, type TestInputSource } from '../test_input.ts';

interface TestOptions {
  text?: string;
  file?: string;
  stdin?: boolean;
  raw?: boolean;
  key?: string;
  keyValue?: boolean;
  params: string[];
  record: string[];
  lookbackLast?: string;
  aggregateInitial?: string;
  wasmFile?: string;
  path?: string;
  abiVersion?: string;
  verbose?: boolean;
}

function nonNegativeInt(flag: string, text: string): number {
  if (!/^\d+$/.test(text)) throw new SmdkError(`invalid ${flag} '${text}': expected a whole number >= 0`);
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new SmdkError(`invalid ${flag} '${text}': too large`);
  return n;
}

/** The ABI versions the engine can call a module with (the layouts of Fluvio 16..25). */
const ABI_VERSION_MIN = 16;
const ABI_VERSION_MAX = 25;

function abiVersion(text: string): number {
  const n = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(n >= ABI_VERSION_MIN && n <= ABI_VERSION_MAX)) {
    throw new SmdkError(`invalid --abi-version '${text}': SmartModule ABI versions are ${ABI_VERSION_MIN} to ${ABI_VERSION_MAX}`);
  }
  return n;
}

function inputSource(o: TestOptions): TestInputSource {
  const given = [o.text !== undefined && '--text', o.file !== undefined && '--file', o.stdin && '--stdin'].filter(Boolean);
  if (given.length === 0) throw new SmdkError('no test input: give --text TEXT, --file FILE or --stdin');
  if (given.length > 1) throw new SmdkError(`give only one test input, not ${given.join(' and ')}`);
  if (o.raw && o.text !== undefined) throw new SmdkError('--raw applies to --file and --stdin, not --text');
  if (o.text !== undefined) return { kind: 'text', text: o.text };
  if (o.file !== undefined) return { kind: 'file', path: o.file, raw: !!o.raw };
  return { kind: 'stdin', raw: !!o.raw };
}

export function registerTest(program: Command): void {
  program
    .command('test')
    .description('run the SmartModule on test records locally, in the same engine the broker uses, and print the output records')
    .argument('[key]', 'key to use with the test record(s)')
    .option('--text <text>', 'one test record with this value')
    .option('--file <file>', 'test records from a file, one per line (--raw: the whole file is one record)')
    .option('--stdin', 'test records from standard input, one per line (--raw: all of it is one record)')
    .option('--raw', 'read --file or --stdin as a single record')
    .option('--key <key>', 'key to use with the test record(s) (same as the [key] argument)')
    .option('-k, --key-value', 'print records in "[key] value" format, with "[null]" for no key')
    .option('-e, --params <key=value>', 'parameter passed to the module\'s init (repeatable)', collect, [])
    .option('-r, --record <value>', 'a record that already exists in the topic before the test input, fed to look_back (repeatable, oldest first)', collect, [])
    .option('-l, --lookback-last <n>', 'look back at the last N of the --record records')
    .option('--aggregate-initial <value>', 'initial accumulator of an aggregate module')
    .option('--wasm-file <file>', 'run this .wasm instead of the project\'s build output')
    .option('--path <dir>', 'project directory (default: the one containing the working directory)')
    .option('--abi-version <n>', 'SmartModule ABI version to call the module with, 16-25 (default: the newest, 25)')
    .option('-v, --verbose', 'also print how many records came out')
    .action(async (keyArg: string | undefined, o: TestOptions) => {
      if (keyArg !== undefined && o.key !== undefined && keyArg !== o.key) {
        throw new SmdkError(`two different keys given: '${keyArg}' and --key '${o.key}'`);
      }
      const source = inputSource(o);
      const params = paramsRecord(o.params);
      const lookbackLast = o.lookbackLast === undefined ? undefined : nonNegativeInt('--lookback-last', o.lookbackLast);
      const version = o.abiVersion === undefined ? undefined : abiVersion(o.abiVersion);
      const artifact = await resolveArtifact({ wasmFile: o.wasmFile, projectDir: o.path, log: (l) => process.stderr.write(l + '\n') });
      const values = await readTestValues(source);

      const keyText = o.key ?? keyArg;
      const key = keyText === undefined ? null : Buffer.from(keyText, 'utf8');
      const now = Date.now();
      const input = encodeRecordsSection(values.map((value): RecordInput => ({ key, value, timestamp: now })), { firstTimestamp: now });

      // Loaded here so the other commands start without the engine.
      const { SmartEngine } = await import('@eddy/smartengine');
      const engine = new SmartEngine({ workers: 1 });
      try {
        const chain = await engine.chain([
          {
            name: artifact.name,
            wasm: artifact.wasm,
            params,
            ...(lookbackLast !== undefined ? { lookback: { last: lookbackLast } } : {}),
            ...(o.aggregateInitial !== undefined ? { initialAccumulator: Buffer.from(o.aggregateInitial, 'utf8') } : {}),
            ...(version !== undefined ? { version } : {}),
          },
        ]);
        try {
          if (lookbackLast !== undefined) {
            // As Fluvio's smdk: the last N of the --record values, oldest first.
            const kept = lookbackLast === 0 ? [] : o.record.slice(-lookbackLast);
            await chain.lookBack(encodeRecordsSection(kept.map((r) => ({ value: Buffer.from(r, 'utf8'), timestamp: now })), { firstTimestamp: now }));
          }
          const result = await chain.process({ baseOffset: 0, baseTimestamp: now, records: input });
          printRecords(result.records, !!o.keyValue, !!o.verbose, result.count);
          if (result.error) throw result.error;
        } finally {
          await chain.close();
        }
      } finally {
        await engine.close();
      }
    });
}

/** One record per line: the value's bytes as they are (Fluvio prints them as UTF-8 text). */
function printRecords(section: Uint8Array, keyValue: boolean, verbose: boolean, count: number): void {
  const parts: Buffer[] = [];
  if (verbose) parts.push(Buffer.from(`${count} records outputed\n`));
  const nl = Buffer.from('\n');
  visitRecords(section, 0, 0, (r) => {
    if (keyValue) {
      const k = r.key();
      parts.push(Buffer.from(`[${k === null ? 'null' : k.toString('utf8')}] `));
    }
    parts.push(Buffer.from(r.value()), nl);
  });
  process.stdout.write(Buffer.concat(parts));
}
