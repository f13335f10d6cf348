import { EddyError, ErrorCode } from '@eddy/protocol';
import type { TopicSpec } from '@eddy/protocol';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Defaults for fields a CreateTopic request leaves at 0 (numbers) or '' (strings), as Fluvio's:
 * 1 partition, replication 1, 7 days retention, no size limit, 1 GiB segments (Fluvio and Kafka),
 * 1 MiB max batch, keep the producer's compression, ack once the OS has the write.
 */
export const TOPIC_DEFAULTS: Readonly<TopicSpec> = Object.freeze({
  partitions: 1,
  replicationFactor: 1,
  retentionMs: 7 * DAY_MS,
  retentionBytes: -1,
  segmentBytes: 1024 * 1024 * 1024,
  maxRecordBytes: 1024 * 1024,
  compression: 'any',
  flush: 'os',
});

export const TOPIC_LIMITS = {
  maxPartitions: 1000,
  minSegmentBytes: 1024,
  /** Storage keeps segment positions below 2 GiB. */
  maxSegmentBytes: 0x7fff_ffff,
  /** A batch must fit in a frame with its request around it. */
  maxRecordBytes: 64 * 1024 * 1024 - 4096,
} as const;

export const COMPRESSION_NAMES = ['any', 'none', 'gzip', 'snappy', 'lz4', 'zstd'] as const;
export const FLUSH_POLICIES = ['os', 'fsync'] as const;

const TOPIC_NAME_RE = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** Fluvio's rule: 1..63 chars of [a-z0-9-], not starting or ending with '-'. */
export function validateTopicName(name: string): void {
  if (typeof name !== 'string' || !TOPIC_NAME_RE.test(name)) {
    const shown = JSON.stringify(String(name).slice(0, 80));
    let why: string;
    if (!name) why = 'it is empty';
    else if (name.length > 63) why = `it is ${name.length} characters long (max 63)`;
    else if (name.startsWith('-') || name.endsWith('-')) why = 'it starts or ends with \'-\'';
    else why = 'only lowercase letters, digits and \'-\' are allowed';
    throw new EddyError(ErrorCode.InvalidTopicName, `invalid topic name ${shown}: ${why}`);
  }
}

function invalid(message: string): EddyError {
  return new EddyError(ErrorCode.InvalidConfig, message);
}

function isInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v);
}

/**
 * Fills defaults (0 / '' = default) and checks every field. `spus` is the number of SPUs that can
 * hold replicas. Throws EddyError(InvalidConfig) naming the field.
 */
export function resolveTopicSpec(input: Partial<TopicSpec>, spus = 1): TopicSpec {
  const pick = <K extends keyof TopicSpec>(k: K): TopicSpec[K] => {
    const v = input[k];
    return v === undefined || v === null || v === 0 || v === '' ? TOPIC_DEFAULTS[k] : (v as TopicSpec[K]);
  };
  const spec: TopicSpec = {
    partitions: pick('partitions'),
    replicationFactor: pick('replicationFactor'),
    retentionMs: pick('retentionMs'),
    retentionBytes: pick('retentionBytes'),
    segmentBytes: pick('segmentBytes'),
    maxRecordBytes: pick('maxRecordBytes'),
    compression: String(pick('compression')).toLowerCase(),
    flush: String(pick('flush')).toLowerCase(),
  };
  if (!isInt(spec.partitions) || spec.partitions < 1 || spec.partitions > TOPIC_LIMITS.maxPartitions) {
    throw invalid(`partitions must be 1..${TOPIC_LIMITS.maxPartitions}, got ${spec.partitions}`);
  }
  if (!isInt(spec.replicationFactor) || spec.replicationFactor < 1) {
    throw invalid(`replication factor must be at least 1, got ${spec.replicationFactor}`);
  }
  if (spec.replicationFactor > spus) {
    throw invalid(`replication factor ${spec.replicationFactor} exceeds the ${spus} SPU(s) in the cluster`);
  }
  if (!isInt(spec.retentionMs) || (spec.retentionMs < 1 && spec.retentionMs !== -1)) {
    throw invalid(`retention time must be positive milliseconds or -1 (unlimited), got ${spec.retentionMs}`);
  }
  if (!isInt(spec.retentionBytes) || (spec.retentionBytes < 1 && spec.retentionBytes !== -1)) {
    throw invalid(`retention size must be positive bytes or -1 (unlimited), got ${spec.retentionBytes}`);
  }
  if (!isInt(spec.segmentBytes) || spec.segmentBytes < TOPIC_LIMITS.minSegmentBytes || spec.segmentBytes > TOPIC_LIMITS.maxSegmentBytes) {
    throw invalid(`segment size must be ${TOPIC_LIMITS.minSegmentBytes}..${TOPIC_LIMITS.maxSegmentBytes} bytes, got ${spec.segmentBytes}`);
  }
  if (!isInt(spec.maxRecordBytes) || spec.maxRecordBytes < 64 || spec.maxRecordBytes > TOPIC_LIMITS.maxRecordBytes) {
    throw invalid(`max record size must be 64..${TOPIC_LIMITS.maxRecordBytes} bytes, got ${spec.maxRecordBytes}`);
  }
  if (!(COMPRESSION_NAMES as readonly string[]).includes(spec.compression)) {
    throw invalid(`compression must be one of ${COMPRESSION_NAMES.join(', ')}, got '${spec.compression}'`);
  }
  if (!(FLUSH_POLICIES as readonly string[]).includes(spec.flush)) {
    throw invalid(`flush policy must be one of ${FLUSH_POLICIES.join(', ')}, got '${spec.flush}'`);
  }
  return spec;
}
