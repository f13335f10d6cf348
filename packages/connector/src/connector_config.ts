import { readFileSync } from 'node:fs';
import YAML from 'yaml';
import { Offset, parseTransforms, type CompressionName, type SmartModuleSpec } from '@eddy/client';
import { parseHumanDuration } from '@eddy/client/internal';
import { parseByteSize } from './byte_size.ts';
import { sectionName, type ConnectorInfo } from './define.ts';
import { ConfigError, oneLine } from './errors.ts';
import { compileValidator, type JsonSchema } from './json_schema.ts';
import { SecretResolver, type SecretSource } from './secrets.ts';

export const API_VERSIONS = ['0.1.0', '0.2.0'] as const;
export type ApiVersion = (typeof API_VERSIONS)[number];

/** Where a sink starts when its consumer has no committed offset. */
export type OffsetStartConfig =
  | 'beginning' | 'end'
  | { absolute: number } | { 'from-beginning': number } | { 'from-end': number };

/** The topic, normalized from a name (both versions) or a 0.2.0 topic object. */
export interface TopicConfig {
  name: string;
  /** Set only by a 0.2.0 topic object: used when the connector creates the topic. */
  partitions?: number;
  replication?: number;
  retentionMs?: number;
  segmentBytes?: number;
  compression?: string;
}

export interface ProducerConfig {
  lingerMs?: number;
  batchSizeBytes?: number;
  compression?: CompressionName;
}

export interface ConsumerConfig {
  /** Consumer name under which offsets are committed. Default the connector's name. */
  id: string;
  /** Partitions to read; undefined = all. */
  partitions?: number[];
  maxBytes?: number;
  start: OffsetStartConfig;
  /**
   * 'none': no commits, every run starts at `start`. 'manual' (default) and 'auto': offsets are
   * committed after the external system accepted the records (never on read).
   */
  strategy: 'none' | 'manual' | 'auto';
  /** Commit at most this often (ms); undefined = after every written batch. */
  flushPeriodMs?: number;
}

/** A parsed, validated connector config with secrets resolved. */
export interface ConnectorConfig<O> {
  apiVersion: ApiVersion;
  name: string;
  type: string;
  /** The config's `meta.version` (the connector version it was written for). */
  version: string;
  topic: TopicConfig;
  /**
   * `meta.create-topic` (Fluvio's). Undefined when absent: a source creates a missing topic unless
   * it is false; a sink creates one only when it is true.
   */
  createTopic?: boolean;
  producer: ProducerConfig;
  consumer: ConsumerConfig;
  /** Names declared in `meta.secrets`. */
  secrets: string[];
  transforms: SmartModuleSpec[];
  /** The connector's own section, validated and with defaults filled in. */
  options: O;
}

const DURATION: JsonSchema = { type: ['string', 'integer'], description: "A duration: '10ms', '1s', '1h 30m' (integers are milliseconds)" };
const SIZE: JsonSchema = { type: ['string', 'integer'], description: "A size: '16KB', '1MiB' (integers are bytes)" };
const COMPRESSION: JsonSchema = { type: 'string', description: 'none, gzip, snappy, lz4 or zstd' };

/** The shape of `meta` (the part every connector shares). Unions are checked in code below. */
export const META_SCHEMA: JsonSchema = {
  type: 'object',
  required: ['name', 'type', 'topic'],
  additionalProperties: false,
  properties: {
    name: { type: 'string', minLength: 1, pattern: '^[a-z0-9]([a-z0-9-]*[a-z0-9])?$', description: 'The deployment name (lowercase letters, digits, dashes)' },
    type: { type: 'string', minLength: 1, description: "The connector, e.g. 'http-source'" },
    version: { type: 'string', description: 'The connector version the config is written for' },
    topic: { type: ['string', 'object'], description: 'A topic name, or (apiVersion 0.2.0) a topic object {meta: {name}, partition, retention, compression}' },
    'create-topic': { type: 'boolean', description: 'Create the topic when missing (a source does unless this is false; a sink only when true)' },
    producer: {
      type: 'object',
      additionalProperties: false,
      properties: { linger: DURATION, 'batch-size': SIZE, compression: COMPRESSION },
    },
    consumer: {
      type: 'object',
      additionalProperties: false,
      properties: {
        id: { type: 'string', minLength: 1 },
        partition: { type: ['integer', 'string', 'array'] },
        'max-bytes': SIZE,
        offset: {
          type: 'object',
          additionalProperties: false,
          properties: {
            start: { type: ['string', 'object'] },
            strategy: { enum: ['none', 'manual', 'auto'] },
            'flush-period': { type: ['string', 'integer', 'object'] },
          },
        },
      },
    },
    secrets: {
      type: 'array',
      items: { type: 'object', required: ['name'], additionalProperties: false, properties: { name: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*$' } } },
    },
  },
};

const validateMeta = compileValidator(META_SCHEMA);
const validators = new WeakMap<JsonSchema, (v: unknown, root: string) => void>();

export interface LoadOptions extends SecretSource {
  /** The file name errors mention. */
  source?: string;
}

/** Reads and parses a config file (see parseConnectorConfig). */
export function loadConnectorConfig<O>(def: ConnectorInfo, file: string, secrets: SecretSource = {}): { config: ConnectorConfig<O>; resolver: SecretResolver } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError('', `cannot read config file '${file}': ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return parseConnectorConfig<O>(def, text, { ...secrets, source: file });
}

/**
 * Parses a Fluvio-format connector config (apiVersion 0.1.0 or 0.2.0) for `def`: resolves
 * `${{ secrets.NAME }}` references, validates meta, transforms and the connector's own section
 * (filling in its defaults). Every error is a one-line ConfigError naming the YAML path.
 */
export function parseConnectorConfig<O>(def: ConnectorInfo, text: string, opts: LoadOptions = {}): { config: ConnectorConfig<O>; resolver: SecretResolver } {
  let raw: unknown;
  try {
    raw = YAML.parse(text);
  } catch (err) {
    throw new ConfigError('', `${opts.source ?? 'config'} is not valid YAML: ${oneLine(err)}`);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new ConfigError('', `${opts.source ?? 'config'} must be a YAML mapping with 'meta' and '${sectionName(def)}'`);
  const resolver = new SecretResolver(opts);
  const doc = resolver.resolve(raw) as Record<string, unknown>;

  const apiVersion = doc.apiVersion ?? '0.1.0';
  if (!API_VERSIONS.includes(apiVersion as ApiVersion)) throw new ConfigError('apiVersion', `must be one of ${API_VERSIONS.join(', ')}, got ${JSON.stringify(apiVersion)}`);
  const section = sectionName(def);
  for (const k of Object.keys(doc)) {
    if (k !== 'apiVersion' && k !== 'meta' && k !== 'transforms' && k !== section) {
      throw new ConfigError(k, `is not a known section (expected apiVersion, meta, transforms, ${section})`);
    }
  }
  if (doc.meta === undefined) throw new ConfigError('meta', 'is required');
  validateMeta(doc.meta, 'meta');
  const meta = doc.meta as Record<string, any>;
  if (meta.type !== def.name) throw new ConfigError('meta.type', `this connector is '${def.name}', the config is for '${meta.type}'`);

  const secrets = ((meta.secrets ?? []) as { name: string }[]).map((s) => s.name);
  // A declared secret must resolve even when the file does not reference it (Fluvio checks it too).
  secrets.forEach((n, i) => resolver.get(n, `meta.secrets[${i}].name`));

  let validate = validators.get(def.options);
  if (validate === undefined) validators.set(def.options, (validate = compileValidator(def.options)));
  const options = (doc[section] ?? {}) as O;
  validate(options, section);

  let transforms: SmartModuleSpec[] = [];
  if (doc.transforms !== undefined && doc.transforms !== null) {
    try {
      transforms = parseTransforms(YAML.stringify({ transforms: doc.transforms }), 'config');
    } catch (err) {
      throw new ConfigError('', oneLine(err).replace(/^config: /, ''));
    }
  }

  return {
    resolver,
    config: {
      apiVersion: apiVersion as ApiVersion,
      name: meta.name,
      type: meta.type,
      version: meta.version ?? def.version,
      topic: topicConfig(meta.topic, apiVersion as ApiVersion),
      ...(meta['create-topic'] !== undefined ? { createTopic: meta['create-topic'] as boolean } : {}),
      producer: producerConfig(meta.producer ?? {}),
      consumer: consumerConfig(meta.consumer ?? {}, meta.name),
      secrets,
      transforms,
      options,
    },
  };
}

function topicConfig(t: unknown, apiVersion: ApiVersion): TopicConfig {
  if (typeof t === 'string') {
    if (t === '') throw new ConfigError('meta.topic', 'must not be empty');
    return { name: t };
  }
  if (apiVersion === '0.1.0') throw new ConfigError('meta.topic', "a topic object needs apiVersion 0.2.0 (in 0.1.0 the topic is a name)");
  const o = t as Record<string, any>;
  const name = o.meta?.name ?? o.name;
  if (typeof name !== 'string' || name === '') throw new ConfigError('meta.topic.meta.name', 'is required (the topic name)');
  const out: TopicConfig = { name };
  const p = o.partition;
  if (p !== undefined) {
    if (p.count !== undefined) out.partitions = positiveInt(p.count, 'meta.topic.partition.count');
    if (p.replication !== undefined) out.replication = positiveInt(p.replication, 'meta.topic.partition.replication');
  }
  const r = o.retention;
  if (r !== undefined) {
    if (r.time !== undefined) out.retentionMs = duration(r.time, 'meta.topic.retention.time');
    if (r['segment-size'] !== undefined) out.segmentBytes = parseByteSize(r['segment-size'], 'meta.topic.retention.segment-size');
  }
  const c = o.compression;
  if (c !== undefined) {
    const type = typeof c === 'string' ? c : c.type;
    if (typeof type !== 'string') throw new ConfigError('meta.topic.compression.type', 'must be a codec name (any, none, gzip, snappy, lz4, zstd)');
    out.compression = codec(type, 'meta.topic.compression.type', true);
  }
  return out;
}

function producerConfig(p: Record<string, unknown>): ProducerConfig {
  const out: ProducerConfig = {};
  if (p.linger !== undefined) out.lingerMs = duration(p.linger, 'meta.producer.linger');
  if (p['batch-size'] !== undefined) out.batchSizeBytes = parseByteSize(p['batch-size'], 'meta.producer.batch-size');
  if (p.compression !== undefined) out.compression = codec(p.compression as string, 'meta.producer.compression', false) as CompressionName;
  return out;
}

function consumerConfig(c: Record<string, any>, name: string): ConsumerConfig {
  const offset = (c.offset ?? {}) as Record<string, unknown>;
  const out: ConsumerConfig = {
    id: c.id ?? name,
    start: offsetStart(offset.start ?? 'end'),
    strategy: (offset.strategy as ConsumerConfig['strategy'] | undefined) ?? 'manual',
  };
  if (c.partition !== undefined && c.partition !== 'all') {
    const list = Array.isArray(c.partition) ? c.partition : [c.partition];
    out.partitions = list.map((p: unknown, i: number) => nonNegativeInt(p, Array.isArray(c.partition) ? `meta.consumer.partition[${i}]` : 'meta.consumer.partition'));
  }
  if (c['max-bytes'] !== undefined) out.maxBytes = parseByteSize(c['max-bytes'], 'meta.consumer.max-bytes');
  const fp = offset['flush-period'];
  if (fp !== undefined) {
    // Fluvio serializes a Duration as {secs, nanos}; a humantime string is accepted too.
    out.flushPeriodMs = typeof fp === 'object' && fp !== null
      ? Number((fp as { secs?: number }).secs ?? 0) * 1000 + Math.floor(Number((fp as { nanos?: number }).nanos ?? 0) / 1e6)
      : duration(fp, 'meta.consumer.offset.flush-period');
  }
  return out;
}

/** `start: beginning | end | {absolute | from-beginning | from-end: N}`. */
function offsetStart(s: unknown): OffsetStartConfig {
  const path = 'meta.consumer.offset.start';
  if (s === 'beginning' || s === 'end') return s;
  if (s !== null && typeof s === 'object' && !Array.isArray(s)) {
    const keys = Object.keys(s);
    if (keys.length === 1 && (keys[0] === 'absolute' || keys[0] === 'from-beginning' || keys[0] === 'from-end')) {
      const n = nonNegativeInt((s as Record<string, unknown>)[keys[0]], `${path}.${keys[0]}`);
      return { [keys[0]]: n } as OffsetStartConfig;
    }
  }
  throw new ConfigError(path, 'must be beginning, end, or one of {absolute: N}, {from-beginning: N}, {from-end: N}');
}

/** The client Offset a start config means. */
export function toOffset(s: OffsetStartConfig): Offset {
  if (s === 'beginning') return Offset.beginning();
  if (s === 'end') return Offset.end();
  if ('absolute' in s) return Offset.absolute(s.absolute);
  if ('from-beginning' in s) return Offset.fromBeginning(s['from-beginning']);
  return Offset.fromEnd(s['from-end']);
}

const CODECS = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];

function codec(v: string, path: string, allowAny: boolean): string {
  const c = String(v).toLowerCase();
  if (CODECS.includes(c) || (allowAny && c === 'any')) return c;
  throw new ConfigError(path, `must be one of: ${allowAny ? 'any, ' : ''}${CODECS.join(', ')}, got '${v}'`);
}

function duration(v: unknown, path: string): number {
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return v;
  if (typeof v !== 'string') throw new ConfigError(path, "must be a duration such as '10ms' or '1h 30m'");
  try {
    return parseHumanDuration(v);
  } catch (err) {
    throw new ConfigError(path, oneLine(err));
  }
}

function nonNegativeInt(v: unknown, path: string): number {
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return v;
  throw new ConfigError(path, `must be a non-negative integer, got ${JSON.stringify(v)}`);
}

function positiveInt(v: unknown, path: string): number {
  if (typeof v === 'number' && Number.isSafeInteger(v) && v > 0) return v;
  throw new ConfigError(path, `must be a positive integer, got ${JSON.stringify(v)}`);
}
