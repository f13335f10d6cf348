import { Option } from 'commander';
import type { Command } from 'commander';
import { globalsOf, withClient } from '../context.ts';
import { Offset } from '../client.ts';
import type { Eddy, SmartModuleSpec } from '../client.ts';
import { CliError } from '../errors.ts';
import { BufferedWriter } from '../format/buffered_writer.ts';
import { recordFormatter, RECORD_OUTPUTS, JSON_BYTES } from '../format/record_format.ts';
import type { JsonBytes, RecordOutput } from '../format/record_format.ts';
import { intArg, intListArg } from './options.ts';
import { addSmartModuleOptions, resolveHubSmartModules, smartModulesFrom, type SmartModuleFlags } from './smartmodule_flags.ts';

export interface ConsumeOptions extends SmartModuleFlags {
  beginning?: boolean;
  head?: number;
  tail?: number;
  start?: number;
  end?: number;
  disableContinuous?: boolean;
  partition?: number[];
  allPartitions?: boolean;
  keyValue?: boolean;
  format?: string;
  output: RecordOutput;
  jsonBytes: JsonBytes;
  consumer?: string;
  skipDataLoss?: boolean;
}

export function registerConsume(program: Command): void {
  const cmd = program.command('consume')
    .description('read records from a topic (by default new ones, from the end, waiting for more; -d stops at the end)')
    .argument('<topic>', 'topic to read')
    .addOption(new Option('-B, --beginning', 'start from the beginning of each partition').conflicts(['head', 'tail', 'start']))
    .addOption(new Option('-H, --head <n>', 'start <n> records after the beginning of each partition').argParser(intArg()).conflicts(['tail', 'start']))
    .addOption(new Option('-T, --tail <n>', 'start <n> records before the end of each partition').argParser(intArg()).conflicts(['start']))
    .addOption(new Option('--start <offset>', 'start at this absolute offset').argParser(intArg()))
    .addOption(new Option('--end <offset>', 'stop after this offset (inclusive)').argParser(intArg()))
    .option('-d, --disable-continuous', 'stop at the end of the log instead of waiting for new records')
    .addOption(new Option('-p, --partition <n>', 'read only this partition (repeatable)').argParser(intListArg(0, 2 ** 31 - 1)).conflicts(['allPartitions']))
    .option('-A, --all-partitions', 'read all partitions (the default)')
    .option('-k, --key-value', "print records as '[key] value' ('[null]' without a key)")
    .addOption(new Option('-F, --format <template>', 'print each record with a template using {{key}} {{value}} {{offset}} {{partition}} {{time}} (time as RFC 3339 UTC)').conflicts(['output']))
    .addOption(new Option('-O, --output <type>', "text: the value; json: one object per line {partition, offset, timestamp, key, value}; raw: the value's bytes exactly, nothing added; table: aligned columns").choices(RECORD_OUTPUTS).default('text'))
    .addOption(new Option('--json-bytes <encoding>', 'with -O json, write keys and values as utf8 text (bytes that are not UTF-8 become U+FFFD) or base64 (exact, for binary data)').choices(JSON_BYTES).default('utf8'))
    .option('-c, --consumer <name>', 'named consumer: resume from its committed offsets and commit as it reads')
    .option('--skip-data-loss', 'continue past offsets the broker lost to a damaged segment (warning on stderr) instead of failing');
  addSmartModuleOptions(cmd, 'on the SPU as records are read')
    .action(async (topic: string, o: ConsumeOptions, cmd: Command) => {
      if (o.end !== undefined && o.start !== undefined && o.end < o.start) {
        throw new CliError(`--end ${o.end} is before --start ${o.start}`);
      }
      if (o.jsonBytes === 'base64' && (o.output !== 'json' || o.format !== undefined)) throw new CliError('--json-bytes base64 applies to -O json only');
      const format = recordFormatter({ output: o.output, keyValue: o.keyValue, format: o.format, jsonBytes: o.jsonBytes });
      const smartmodules = await resolveHubSmartModules(smartModulesFrom(o));
      await withClient(globalsOf(cmd), (eddy) => consumeTo(eddy, topic, o, format, smartmodules));
    });
}


function startOffset(o: ConsumeOptions) {
  if (o.beginning) return Offset.beginning();
  if (o.head !== undefined) return Offset.fromBeginning(o.head);
  if (o.tail !== undefined) return Offset.fromEnd(o.tail);
  if (o.start !== undefined) return Offset.absolute(o.start);
  return Offset.end();
}

async function consumeTo(eddy: Eddy, topic: string, o: ConsumeOptions, format: ReturnType<typeof recordFormatter>, smartmodules: SmartModuleSpec[]): Promise<void> {
  const abort = new AbortController();
  const out = new BufferedWriter(process.stdout);
  let brokenPipe = false;
  const onStdoutError = (err: NodeJS.ErrnoException) => {
    // The reader went away (`eddy consume t | head`): stop quietly.
    if (err.code === 'EPIPE') { brokenPipe = true; out.close(); abort.abort(); }
  };
  const onSignal = () => abort.abort();
  process.stdout.on('error', onStdoutError);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const consumer = await eddy.consumer(topic, {
      ...(o.consumer === undefined ? {} : { consumerName: o.consumer, autoCommit: true }),
      ...(o.skipDataLoss ? { onDataLoss: 'skip' as const, onWarning: (m: string) => void process.stderr.write(`warning: ${m}\n`) } : {}),
    });
    const stream = consumer.stream(startOffset(o), {
      ...(o.partition !== undefined ? { partitions: o.partition } : {}),
      ...(o.end !== undefined ? { end: o.end } : {}),
      stopAtEnd: !!o.disableContinuous,
      signal: abort.signal,
      ...(smartmodules.length > 0 ? { smartmodules } : {}),
    });
    let failure: unknown = null;
    try {
      for await (const record of stream) {
        const wait = out.write(format(record));
        if (wait) await wait;
      }
    } catch (err) {
      if (!abort.signal.aborted) failure = err;
    }
    // Records delivered before a failure (e.g. a SmartModule error) are printed before the error.
    if (!brokenPipe) await out.flush();
    if (failure !== null) throw failure;
  } finally {
    process.stdout.off('error', onStdoutError);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
