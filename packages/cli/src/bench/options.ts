// Options shared by every `eddy bench` mode, parsed from commander's strings into checked numbers.
// Flag names follow `fluvio benchmark producer` where one exists (record-size, num-records,
// batch-size, linger, compression, producers, partitions).
import { DEFAULT_ENDPOINT } from '../home.ts';
import { parseSize } from '../parse/size.ts';
import { parseDuration } from '../parse/duration.ts';
import { parseInteger } from '../parse/number.ts';
import { ParseError } from '../parse/parse_error.ts';

export const BENCH_COMPRESSIONS = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const;
export type BenchCompression = (typeof BENCH_COMPRESSIONS)[number];
export const BENCH_FLUSH = ['os', 'fsync'] as const;
export type BenchFlush = (typeof BENCH_FLUSH)[number];
export const OUTPUT_FORMATS = ['table', 'json'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** Everything a bench mode needs; numbers are already checked. */
export interface BenchOptions {
  endpoint: string;
  /** Bytes per record value. */
  recordSize: number;
  /** Records in total (over all producers). */
  numRecords: number;
  /** Producer batch size in bytes. */
  batchSize: number;
  /** Producer linger in milliseconds. */
  lingerMs: number;
  compression: BenchCompression;
  /** Concurrent producers (one connection each). */
  producers: number;
  /** Batches a producer keeps in flight. */
  maxInFlight: number;
  /** Partitions of the temporary topic (or partitions to read from a given one). */
  partitions: number;
  /** Target records/s of the e2e mode. */
  rate: number;
  /** A given topic; when unset a temporary topic is created and deleted afterwards. */
  topic: string | undefined;
  flush: BenchFlush;
  smartmodule: string | undefined;
  smartmodulePath: string | undefined;
  /** SmartModule parameters as key=value pairs. */
  params: Record<string, string>;
  output: OutputFormat;
  brokerPid: number | undefined;
  metricsUrl: string | undefined;
  /** Show a progress bar (only when stderr is a TTY and output is not JSON). */
  progress: boolean;
}

/** What commander hands over: every value is still the string the user typed (or the default). */
export interface RawBenchOptions {
  endpoint?: string;
  recordSize?: string;
  numRecords?: string;
  batchSize?: string;
  linger?: string;
  compression?: string;
  producers?: string;
  maxInFlight?: string;
  partitions?: string;
  rate?: string;
  topic?: string;
  flush?: string;
  smartmodule?: string;
  smartmodulePath?: string;
  param?: string[];
  output?: string;
  brokerPid?: string;
  metricsUrl?: string;
  progress?: boolean;
}

export const BENCH_DEFAULTS = {
  recordSize: '100',
  numRecords: '100000',
  batchSize: '1MiB',
  linger: '5ms',
  compression: 'none',
  producers: '1',
  maxInFlight: '16',
  partitions: '1',
  rate: '10000',
  flush: 'os',
  output: 'table',
} as const;

/** The broker address: --endpoint, else $EDDY_ENDPOINT, else the local cluster's default. */
export function defaultEndpoint(): string {
  return process.env.EDDY_ENDPOINT ?? DEFAULT_ENDPOINT;
}

function oneOf<T extends string>(what: string, value: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new ParseError(`invalid ${what} '${value}' (use one of: ${allowed.join(', ')})`);
}

function named<T>(flag: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof ParseError) throw new ParseError(`${flag}: ${err.message}`);
    throw err;
  }
}

/** Checks and converts the raw options; throws ParseError naming the flag that is wrong. */
export function parseBenchOptions(raw: RawBenchOptions): BenchOptions {
  const d = BENCH_DEFAULTS;
  const params: Record<string, string> = {};
  for (const p of raw.param ?? []) {
    const eq = p.indexOf('=');
    if (eq <= 0) throw new ParseError(`--param: expected key=value, got '${p}'`);
    params[p.slice(0, eq)] = p.slice(eq + 1);
  }
  const output = named('--output', () => oneOf('output format', raw.output ?? d.output, OUTPUT_FORMATS));
  const opts: BenchOptions = {
    endpoint: raw.endpoint ?? defaultEndpoint(),
    recordSize: named('--record-size', () => parseSize(raw.recordSize ?? d.recordSize)),
    numRecords: named('--num-records', () => parseInteger(raw.numRecords ?? d.numRecords, 1)),
    batchSize: named('--batch-size', () => parseSize(raw.batchSize ?? d.batchSize)),
    lingerMs: named('--linger', () => parseDuration(raw.linger ?? d.linger, { bareUnit: 'ms' })),
    compression: named('--compression', () => oneOf('compression', raw.compression ?? d.compression, BENCH_COMPRESSIONS)),
    producers: named('--producers', () => parseInteger(raw.producers ?? d.producers, 1, 1024)),
    maxInFlight: named('--max-in-flight', () => parseInteger(raw.maxInFlight ?? d.maxInFlight, 1, 1024)),
    partitions: named('--partitions', () => parseInteger(raw.partitions ?? d.partitions, 1, 10_000)),
    rate: named('--rate', () => parseInteger(raw.rate ?? d.rate, 1)),
    topic: raw.topic,
    flush: named('--flush', () => oneOf('flush policy', raw.flush ?? d.flush, BENCH_FLUSH)),
    smartmodule: raw.smartmodule,
    smartmodulePath: raw.smartmodulePath,
    params,
    output,
    brokerPid: raw.brokerPid === undefined ? undefined : named('--broker-pid', () => parseInteger(raw.brokerPid!, 1)),
    metricsUrl: raw.metricsUrl,
    progress: raw.progress !== false && output !== 'json' && process.stderr.isTTY === true,
  };
  if (opts.recordSize < 8) throw new ParseError('--record-size: must be at least 8 bytes (the send timestamp lives in the first 8)');
  if (opts.batchSize < 1024) throw new ParseError('--batch-size: must be at least 1KiB');
  if (opts.smartmodule !== undefined && opts.smartmodulePath !== undefined) {
    throw new ParseError('give either --smartmodule or --smartmodule-path, not both');
  }
  return opts;
}
