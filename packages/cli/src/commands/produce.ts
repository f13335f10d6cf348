import fs from 'node:fs';
import type { Readable } from 'node:stream';
import { Option } from 'commander';
import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import { globalsOf, withClient } from '../context.ts';
import type { Producer, ProducerOptions, SendOptions } from '../client.ts';
import { CliError, fixHint, fileProblem } from '../errors.ts';
import { ProduceProgress } from './produce_progress.ts';
import { readLines } from '../line_reader.ts';
import { InFlight } from '../in_flight.ts';
import { intArg, sizeArg, durationArg } from './options.ts';
import { addSmartModuleOptions, smartModulesFrom, type SmartModuleFlags } from './smartmodule_flags.ts';

export const PRODUCER_COMPRESSION = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const;

/** Sends outstanding before the loop waits for acknowledgements (the client batches underneath). */
const MAX_IN_FLIGHT = 50_000;

export interface ProduceOptions extends SmartModuleFlags {
  file?: string;
  keySeparator?: string;
  key?: string;
  partition?: number;
  linger?: number;
  batchSize?: number;
  compression?: string;
  raw?: boolean;
  timestampField?: string;
  keyField?: string;
}

// A line that cannot be turned into a record (no key separator, not JSON, no key field, a bad
// timestamp) stops the run at that line, for every one of these options: what was sent before it
// is flushed and counted, nothing after it is sent. Fluvio's produce stops on such a line too, and
// kcat users expect input to go through unchanged or not at all: skipping would silently drop data.
const BAD_LINE_HELP = 'a line that does not fit --key-separator, --key-field or --timestamp-field stops the run there (records before it are written; the error names the line)';

export function registerProduce(program: Command): void {
  const cmd = program.command('produce')
    .description('write records to a topic: one record per line of stdin or --file (empty lines are skipped); '
      + 'a summary line (records, bytes, seconds) ends on stderr, with a live count on a terminal; ' + BAD_LINE_HELP)
    .argument('<topic>', 'topic to write to')
    .option('-f, --file <file>', 'read lines from this file instead of stdin (a progress bar shows on a terminal)')
    .option('--key-separator <sep>', "split each line at the first <sep> into key and value, e.g. ':' (a line without it stops the run)")
    .option('--key <key>', 'use this key for every record')
    .addOption(new Option('-p, --partition <n>', 'send every record to this partition (default: by key hash, round robin without key)').argParser(intArg(0, 2 ** 31 - 1)))
    .addOption(new Option('--linger <time>', "wait up to this long to fill a batch: milliseconds or a duration, e.g. 10, '150ms', '1s'").argParser(durationArg({ bareUnit: 'ms' })))
    .addOption(new Option('--batch-size <bytes>', "largest batch to send, e.g. 16384, '1MB'").argParser(sizeArg(2 ** 31 - 1)))
    .addOption(new Option('--compression <codec>', 'compress batches with this codec').choices(PRODUCER_COMPRESSION))
    .option('--raw', 'send the whole input as one record (for binary files)')
    .option('--timestamp-field <name>', "lines are JSON objects; each record's timestamp (event time) is this field: epoch ms or ISO-8601 (a line without it stops the run)")
    .option('--key-field <name>', "lines are JSON objects; each record's key is this field (a line without it stops the run)");
  addSmartModuleOptions(cmd, 'on the SPU before records are stored')
    .action(async (topic: string, o: ProduceOptions, cmd: Command) => {
      if (o.keySeparator !== undefined && o.keySeparator.length === 0) {
        throw new CliError("--key-separator must not be empty (to split at '=', write --key-separator '=')");
      }
      if (o.keySeparator !== undefined && o.key !== undefined) throw new CliError('use either --key or --key-separator, not both');
      if (o.raw && o.keySeparator !== undefined) throw new CliError('--raw sends the input as one record; it cannot be split with --key-separator');
      const jsonFields = o.timestampField !== undefined || o.keyField !== undefined;
      if (jsonFields && (o.raw || o.keySeparator !== undefined)) throw new CliError('--timestamp-field and --key-field read JSON lines; they cannot be used with --raw or --key-separator');
      if (o.keyField !== undefined && o.key !== undefined) throw new CliError('use either --key or --key-field, not both');
      const size = o.file === undefined ? undefined : fileSize(o.file);
      const interactive = !o.raw && o.file === undefined && process.stdin.isTTY === true;
      const bar = !o.raw && o.file !== undefined && process.stderr.isTTY === true && size !== undefined && size > 0;
      const progress = new ProduceProgress(process.stderr, process.stderr.isTTY === true && !interactive && !bar);
      const config: ProducerOptions = { ...producerConfig(o), onRetry: (attempt, of, err) => progress.retrying(attempt, of, err) };
      try {
        await withClient(globalsOf(cmd), async (eddy) => {
          const producer = await eddy.producer(topic, config);
          try {
            if (o.raw) await produceRaw(producer, o, progress);
            else await produceLines(producer, o, size, progress, { interactive, bar });
          } finally {
            await producer.close().catch(() => {});
          }
        });
      } finally {
        progress.stop();
      }
      process.stderr.write(`${progress.summary()}\n`);
    });
}


function producerConfig(o: ProduceOptions): ProducerOptions {
  const smartmodules = smartModulesFrom(o);
  return {
    ...(smartmodules.length > 0 ? { smartmodules } : {}),
    ...(o.linger !== undefined ? { lingerMs: o.linger } : {}),
    ...(o.batchSize !== undefined ? { batchSizeBytes: o.batchSize } : {}),
    ...(o.compression !== undefined ? { compression: o.compression as (typeof PRODUCER_COMPRESSION)[number] } : {}),
  };
}

function fileSize(file: string): number {
  try {
    const st = fs.statSync(file);
    if (st.isDirectory()) throw new CliError(`cannot read '${file}': it is a directory`);
    return st.size;
  } catch (err) {
    if (err instanceof CliError) throw err;
    throw new CliError(`cannot read '${file}': ${fileProblem(err)}`);
  }
}

function openInput(o: ProduceOptions): Readable {
  return o.file === undefined ? process.stdin : fs.createReadStream(o.file, { highWaterMark: 256 * 1024 });
}

async function produceRaw(producer: Producer, o: ProduceOptions, progress: ProduceProgress): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const c of openInput(o)) chunks.push(typeof c === 'string' ? Buffer.from(c) : c);
  const value = Buffer.concat(chunks);
  const key = o.key === undefined ? null : Buffer.from(o.key);
  await producer.send(key, value, o.partition === undefined ? {} : { partition: o.partition });
  await producer.flush();
  progress.records = 1;
  progress.bytes = value.length + (key?.length ?? 0);
}

/** Why the loop stopped before the end of the input, if it did. */
type Stop = { line: number; reason: string } | { line: number; interrupted: true } | null;

async function produceLines(
  producer: Producer, o: ProduceOptions, size: number | undefined, progress: ProduceProgress,
  mode: { interactive: boolean; bar: boolean },
): Promise<void> {
  const sendOptions = o.partition === undefined ? {} : { partition: o.partition };
  const fixedKey = o.key === undefined ? null : Buffer.from(o.key);
  const sep = o.keySeparator === undefined ? null : Buffer.from(o.keySeparator);
  const interactive = mode.interactive;

  let bar: cliProgress.SingleBar | null = null;
  let readBytes = 0;
  if (mode.bar) {
    bar = new cliProgress.SingleBar({
      stream: process.stderr,
      format: 'producing [{bar}] {percentage}% | {value}/{total} bytes | {records} records',
      hideCursor: true,
      etaBuffer: 50,
    }, cliProgress.Presets.shades_classic);
    bar.start(size!, 0, { records: 0 });
  }

  const input = openInput(o);
  const inflight = new InFlight(MAX_IN_FLIGHT);
  let lines = 0;
  let stop: Stop = null;
  let ended = false;
  // Ctrl-C: stop reading, wait for what was sent, then say what got through. A second one quits.
  const onSigint = () => {
    if (stop !== null && 'interrupted' in stop) process.exit(130);
    stop = { line: lines, interrupted: true };
    input.destroy();
  };
  process.on('SIGINT', onSigint);
  if (interactive) process.stderr.write('> ');
  const lineReader = readLines(input, bar ? (n) => { readBytes += n; } : undefined);
  try {
    // next() by hand, not for-await: a break must not close the reader, which counts the lines left.
    for (;;) {
      const item = await lineReader.next();
      if (item.done === true) { ended = stop === null; break; }
      const line = item.value;
      lines++;
      if (line.length === 0) { if (interactive) process.stderr.write('> '); continue; }
      let key: Uint8Array | null = fixedKey;
      let value: Uint8Array = line;
      if (sep !== null) {
        const at = line.indexOf(sep);
        if (at === -1) {
          stop = { line: lines, reason: `line ${lines} has no key separator '${o.keySeparator}'` };
          break;
        }
        key = line.subarray(0, at);
        value = line.subarray(at + sep.length);
      }
      let options: SendOptions = sendOptions;
      if (o.timestampField !== undefined || o.keyField !== undefined) {
        const fields = jsonFieldsOf(line, lines, o);
        if (typeof fields === 'string') {
          stop = { line: lines, reason: fields };
          break;
        }
        if (fields.key !== null) key = fields.key;
        if (fields.timestamp !== null) options = { ...sendOptions, timestamp: fields.timestamp };
      }
      const p = producer.send(key, value, options);
      progress.records++;
      progress.bytes += value.length + (key === null ? 0 : key.length);
      if (interactive) {
        await p; // one line at a time: show that it arrived
        process.stderr.write('Ok!\n> ');
        continue;
      }
      inflight.add(p);
      if (inflight.full) await inflight.room();
      // A send that failed after its retries means the cluster is gone or refuses the topic:
      // stop reading instead of queueing (and retrying) the rest of the input.
      if (inflight.failed > 0) break;
      if (bar !== null && (progress.records & 1023) === 0) bar.update(readBytes, { records: progress.records });
    }
  } catch (err) {
    // Destroying the input on Ctrl-C may end the read with an error: that is the stop asked for.
    if (stop === null || !('interrupted' in stop)) throw err;
  } finally {
    process.off('SIGINT', onSigint);
    if (bar !== null) {
      bar.update(readBytes, { records: progress.records });
      bar.stop();
    }
  }
  if (interactive) process.stderr.write('\n');
  if (inflight.failed === 0) await producer.flush().catch(() => {});
  await inflight.settled();
  const sent = progress.records;
  const acked = sent - inflight.failed;
  const stoppedEarly = stop !== null || inflight.failed > 0;
  if (!stoppedEarly) return;
  progress.stop();
  let rest: string;
  if (ended) rest = `all ${lines} input line${lines === 1 ? '' : 's'} read`;
  else if (o.file !== undefined) {
    const unread = await countLines(lineReader);
    rest = `${unread} more line${unread === 1 ? '' : 's'} of '${o.file}' not read`;
  } else {
    await lineReader.return(undefined).catch(() => {});
    rest = `stdin not read after line ${lines}`;
  }
  const counts = `${acked} of ${sent} records acknowledged; ${rest}`;
  if (inflight.failed > 0) {
    const first = inflight.firstError;
    const why = first instanceof Error ? first.message + fixHint(first) : String(first);
    throw new CliError(`${inflight.failed} of ${sent} records were not written: ${why} (${counts})`);
  }
  const s = stop!;
  if ('interrupted' in s) throw new CliError(`interrupted (${counts})`, 130);
  throw new CliError(`${s.reason}: stopped there (${counts})`);
}

/** Lines left in a file after a stop (the reader goes on from where the loop left it). */
async function countLines(rest: AsyncGenerator<Buffer>): Promise<number> {
  let n = 0;
  try {
    for (let item = await rest.next(); item.done !== true; item = await rest.next()) if (item.value.length > 0) n++;
  } catch {
    // the input was destroyed (Ctrl-C): what was counted is what is known
  }
  return n;
}

/** The key and event time a JSON line carries in the named fields, or why the line has none (naming it). */
function jsonFieldsOf(line: Uint8Array, n: number, o: ProduceOptions): { key: Uint8Array | null; timestamp: number | null } | string {
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(line.buffer, line.byteOffset, line.byteLength).toString('utf8'));
  } catch (err) {
    return `line ${n} is not JSON (${(err as Error).message}); --timestamp-field and --key-field read JSON objects`;
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return `line ${n} is not a JSON object`;
  const obj = v as Record<string, unknown>;
  let timestamp: number | null = null;
  if (o.timestampField !== undefined) {
    const t = obj[o.timestampField];
    timestamp = typeof t === 'number' ? t : typeof t === 'string' ? Date.parse(t) : NaN;
    if (!Number.isSafeInteger(timestamp) || timestamp < 0) {
      return `line ${n}: field "${o.timestampField}" is ${JSON.stringify(t)}, not epoch milliseconds or an ISO-8601 time`;
    }
  }
  let key: Uint8Array | null = null;
  if (o.keyField !== undefined) {
    const k = obj[o.keyField];
    if (k === undefined || k === null) return `line ${n}: no field "${o.keyField}" for the key`;
    key = Buffer.from(typeof k === 'string' ? k : JSON.stringify(k));
  }
  return { key, timestamp };
}
