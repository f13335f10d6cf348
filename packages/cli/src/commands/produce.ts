import fs from 'node:fs';
import type { Readable } from 'node:stream';
import { Option } from 'commander';
import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import { globalsOf, withClient } from '../context.ts';
import type { Producer, ProducerOptions, SendOptions } from '../client.ts';
import { CliError } from '../errors.ts';
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

export function registerProduce(program: Command): void {
  const cmd = program.command('produce')
    .description('write records to a topic: one record per line of stdin or --file (empty lines are skipped)')
    .argument('<topic>', 'topic to write to')
    .option('-f, --file <file>', 'read lines from this file instead of stdin (a progress bar shows on a terminal)')
    .option('--key-separator <sep>', "split each line at the first <sep> into key and value, e.g. ':'")
    .option('--key <key>', 'use this key for every record')
    .addOption(new Option('-p, --partition <n>', 'send every record to this partition (default: by key hash, round robin without key)').argParser(intArg(0, 2 ** 31 - 1)))
    .addOption(new Option('--linger <time>', "wait up to this long to fill a batch: milliseconds or a duration, e.g. 10, '150ms', '1s'").argParser(durationArg({ bareUnit: 'ms' })))
    .addOption(new Option('--batch-size <bytes>', "largest batch to send, e.g. 16384, '1MB'").argParser(sizeArg(2 ** 31 - 1)))
    .addOption(new Option('--compression <codec>', 'compress batches with this codec').choices(PRODUCER_COMPRESSION))
    .option('--raw', 'send the whole input as one record (for binary files)')
    .option('--timestamp-field <name>', "lines are JSON objects; each record's timestamp (event time) is this field: epoch ms or ISO-8601")
    .option('--key-field <name>', "lines are JSON objects; each record's key is this field");
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
      const config = producerConfig(o);
      await withClient(globalsOf(cmd), async (eddy) => {
        const producer = await eddy.producer(topic, config);
        try {
          if (o.raw) await produceRaw(producer, o);
          else await produceLines(producer, o, size);
        } finally {
          await producer.close().catch(() => {});
        }
      });
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
    const code = (err as NodeJS.ErrnoException).code;
    throw new CliError(`cannot read '${file}': ${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (err as Error).message}`);
  }
}

function openInput(o: ProduceOptions): Readable {
  return o.file === undefined ? process.stdin : fs.createReadStream(o.file, { highWaterMark: 256 * 1024 });
}

async function produceRaw(producer: Producer, o: ProduceOptions): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const c of openInput(o)) chunks.push(typeof c === 'string' ? Buffer.from(c) : c);
  const value = Buffer.concat(chunks);
  const key = o.key === undefined ? null : Buffer.from(o.key);
  await producer.send(key, value, o.partition === undefined ? {} : { partition: o.partition });
  await producer.flush();
}

async function produceLines(producer: Producer, o: ProduceOptions, size: number | undefined): Promise<void> {
  const sendOptions = o.partition === undefined ? {} : { partition: o.partition };
  const fixedKey = o.key === undefined ? null : Buffer.from(o.key);
  const sep = o.keySeparator === undefined ? null : Buffer.from(o.keySeparator);
  const interactive = o.file === undefined && process.stdin.isTTY === true;

  let bar: cliProgress.SingleBar | null = null;
  let readBytes = 0;
  if (o.file !== undefined && process.stderr.isTTY && size !== undefined && size > 0) {
    bar = new cliProgress.SingleBar({
      stream: process.stderr,
      format: 'producing [{bar}] {percentage}% | {value}/{total} bytes | {records} records',
      hideCursor: true,
      etaBuffer: 50,
    }, cliProgress.Presets.shades_classic);
    bar.start(size, 0, { records: 0 });
  }

  const inflight = new InFlight(MAX_IN_FLIGHT);
  let lines = 0;
  let sent = 0;
  let noSeparator = 0;
  let firstNoSeparator = 0;
  if (interactive) process.stderr.write('> ');
  try {
    for await (const line of readLines(openInput(o), bar ? (n) => { readBytes += n; } : undefined)) {
      lines++;
      if (line.length === 0) { if (interactive) process.stderr.write('> '); continue; }
      let key: Uint8Array | null = fixedKey;
      let value: Uint8Array = line;
      if (sep !== null) {
        const at = line.indexOf(sep);
        if (at === -1) {
          if (noSeparator++ === 0) firstNoSeparator = lines;
          continue;
        }
        key = line.subarray(0, at);
        value = line.subarray(at + sep.length);
      }
      let options: SendOptions = sendOptions;
      if (o.timestampField !== undefined || o.keyField !== undefined) {
        const fields = jsonFieldsOf(line, lines, o);
        if (fields.key !== null) key = fields.key;
        if (fields.timestamp !== null) options = { ...sendOptions, timestamp: fields.timestamp };
      }
      const p = producer.send(key, value, options);
      sent++;
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
      if (bar !== null && (sent & 1023) === 0) bar.update(readBytes, { records: sent });
    }
    if (interactive) process.stderr.write('\n');
    if (inflight.failed === 0) await producer.flush().catch(() => {});
    await inflight.settled();
  } finally {
    if (bar !== null) {
      bar.update(readBytes, { records: sent });
      bar.stop();
    }
  }
  if (inflight.failed > 0) {
    const why = inflight.firstError instanceof Error ? inflight.firstError.message : String(inflight.firstError);
    throw new CliError(`${inflight.failed} of ${sent} records were not written: ${why}`);
  }
  if (noSeparator > 0) {
    throw new CliError(`${noSeparator} line(s) without the key separator '${o.keySeparator}' were skipped (first: line ${firstNoSeparator}); ${sent} records were written`);
  }
}

/** The key and event time a JSON line carries in the named fields; a clear error names the line. */
function jsonFieldsOf(line: Uint8Array, n: number, o: ProduceOptions): { key: Uint8Array | null; timestamp: number | null } {
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(line.buffer, line.byteOffset, line.byteLength).toString('utf8'));
  } catch (err) {
    throw new CliError(`line ${n} is not JSON (${(err as Error).message}); --timestamp-field and --key-field read JSON objects`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new CliError(`line ${n} is not a JSON object`);
  const obj = v as Record<string, unknown>;
  let timestamp: number | null = null;
  if (o.timestampField !== undefined) {
    const t = obj[o.timestampField];
    timestamp = typeof t === 'number' ? t : typeof t === 'string' ? Date.parse(t) : NaN;
    if (!Number.isSafeInteger(timestamp) || timestamp < 0) {
      throw new CliError(`line ${n}: field "${o.timestampField}" is ${JSON.stringify(t)}, not epoch milliseconds or an ISO-8601 time`);
    }
  }
  let key: Uint8Array | null = null;
  if (o.keyField !== undefined) {
    const k = obj[o.keyField];
    if (k === undefined || k === null) throw new CliError(`line ${n}: no field "${o.keyField}" for the key`);
    key = Buffer.from(typeof k === 'string' ? k : JSON.stringify(k));
  }
  return { key, timestamp };
}
