import Table from 'cli-table3';
import YAML from 'yaml';
import type { ConsumerOffsetInfo, SmartModuleMeta, Spu, Topic } from '@eddy/protocol';
import type { PartitionInfo, PartitionOffsets } from './admin.ts';
import type { ProfileListing } from './profile.ts';

export type OutputFormat = 'table' | 'json' | 'yaml';

export const OUTPUT_FORMATS: readonly OutputFormat[] = ['table', 'json', 'yaml'];

/** A table column: header and how to render an object's cell. */
export interface Column<T> {
  header: string;
  cell(item: T): string | number;
}

export const topicColumns: Column<Topic>[] = [
  { header: 'NAME', cell: (t) => t.name },
  { header: 'PARTITIONS', cell: (t) => t.spec.partitions },
  { header: 'REPLICAS', cell: (t) => t.spec.replicationFactor },
  { header: 'RETENTION TIME', cell: (t) => formatDuration(t.spec.retentionMs) },
  { header: 'RETENTION SIZE', cell: (t) => formatBytes(t.spec.retentionBytes) },
  { header: 'SEGMENT SIZE', cell: (t) => formatBytes(t.spec.segmentBytes) },
  { header: 'COMPRESSION', cell: (t) => t.spec.compression },
  { header: 'FLUSH', cell: (t) => t.spec.flush },
  { header: 'STATUS', cell: (t) => t.status.resolution },
  { header: 'REASON', cell: (t) => t.status.reason },
];

export const partitionColumns: Column<PartitionInfo>[] = [
  { header: 'TOPIC', cell: (p) => p.topic },
  { header: 'PARTITION', cell: (p) => p.status.partition },
  { header: 'LEADER', cell: (p) => p.status.leader },
  { header: 'STATUS', cell: (p) => p.status.status },
  { header: 'SIZE', cell: (p) => formatBytes(p.status.sizeBytes) },
  { header: 'LOG START', cell: (p) => p.status.logStartOffset },
  { header: 'HW', cell: (p) => p.status.highWatermark },
];

export const spuColumns: Column<Spu>[] = [
  { header: 'ID', cell: (s) => s.spec.id },
  { header: 'NAME', cell: (s) => s.name },
  { header: 'STATUS', cell: (s) => s.status.resolution },
  { header: 'ENDPOINT', cell: (s) => `${s.spec.host}:${s.spec.port}` },
  { header: 'RACK', cell: (s) => s.spec.rack ?? '-' },
];

export const consumerColumns: Column<ConsumerOffsetInfo>[] = [
  { header: 'CONSUMER', cell: (c) => c.consumer },
  { header: 'TOPIC', cell: (c) => c.topic },
  { header: 'PARTITION', cell: (c) => c.partition },
  { header: 'OFFSET', cell: (c) => c.offset },
  { header: 'LAST SEEN', cell: (c) => formatAge(c.modifiedMs) },
];

export const smartModuleColumns: Column<SmartModuleMeta>[] = [
  { header: 'SMARTMODULE', cell: (m) => m.name },
  { header: 'VERSION', cell: (m) => m.spec.version },
  { header: 'SIZE', cell: (m) => formatBytes(m.spec.sizeBytes) },
  { header: 'EXPORTS', cell: (m) => m.spec.exports.join(',') },
  { header: 'DESCRIPTION', cell: (m) => m.spec.description },
];

export const offsetColumns: Column<PartitionOffsets>[] = [
  { header: 'PARTITION', cell: (o) => o.partition },
  { header: 'LOG START', cell: (o) => o.logStartOffset },
  { header: 'HW', cell: (o) => o.highWatermark },
];

export const profileColumns: Column<ProfileListing>[] = [
  { header: '', cell: (p) => (p.current ? '*' : '') },
  { header: 'PROFILE', cell: (p) => p.name },
  { header: 'ENDPOINT', cell: (p) => p.endpoint },
];

/** The object type each kind prints. */
export interface ObjectKinds {
  topic: Topic;
  partition: PartitionInfo;
  spu: Spu;
  consumer: ConsumerOffsetInfo;
  smartmodule: SmartModuleMeta;
  offsets: PartitionOffsets;
  profile: ProfileListing;
}

export type ObjectKind = keyof ObjectKinds;

/** Columns per kind of admin object. */
export const columnsByKind: { [K in ObjectKind]: Column<ObjectKinds[K]>[] } = {
  topic: topicColumns,
  partition: partitionColumns,
  spu: spuColumns,
  consumer: consumerColumns,
  smartmodule: smartModuleColumns,
  offsets: offsetColumns,
  profile: profileColumns,
};

/** Renders a list of admin objects as a table, JSON or YAML (ending with a newline). */
export function formatObjects<K extends ObjectKind>(kind: K, items: readonly ObjectKinds[K][], format: OutputFormat): string {
  if (format === 'table') return formatTable(items, columnsByKind[kind] as Column<ObjectKinds[K]>[]);
  return formatData(items, format);
}

/** JSON (2-space indent) or YAML of plain data; byte buffers become base64 strings. */
export function formatData(data: unknown, format: 'json' | 'yaml'): string {
  const plain = toPlain(data);
  if (format === 'json') return JSON.stringify(plain, null, 2) + '\n';
  if (format === 'yaml') return YAML.stringify(plain);
  throw new RangeError(`unknown output format '${format as string}' (expected one of: ${OUTPUT_FORMATS.join(', ')})`);
}

/** A borderless, left-aligned table (Fluvio's style), no colours. */
export function formatTable<T>(items: readonly T[], columns: readonly Column<T>[]): string {
  const table = new Table({
    head: columns.map((c) => c.header),
    chars: {
      top: '', 'top-mid': '', 'top-left': '', 'top-right': '',
      bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '',
      left: '', 'left-mid': '', mid: '', 'mid-mid': '',
      right: '', 'right-mid': '', middle: '  ',
    },
    style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0, compact: true },
  });
  for (const item of items) table.push(columns.map((c) => String(c.cell(item))));
  return table.toString().split('\n').map((l) => l.trimEnd()).join('\n') + '\n';
}

/** Parses '-O' values. */
export function parseOutputFormat(text: string): OutputFormat {
  const f = text.trim().toLowerCase();
  if ((OUTPUT_FORMATS as readonly string[]).includes(f)) return f as OutputFormat;
  throw new RangeError(`unknown output format '${text}' (expected one of: ${OUTPUT_FORMATS.join(', ')})`);
}

/** '7d', '1h 30m', '250ms'; -1 (or below) is 'unlimited'. */
export function formatDuration(ms: number): string {
  if (ms < 0) return 'unlimited';
  if (ms === 0) return '0s';
  if (ms < 1000) return `${ms}ms`;
  const units: [string, number][] = [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000]];
  const parts: string[] = [];
  let rest = Math.floor(ms / 1000) * 1000;
  for (const [u, size] of units) {
    const n = Math.floor(rest / size);
    if (n > 0) { parts.push(`${n}${u}`); rest -= n * size; }
  }
  return parts.join(' ');
}

/** '512 B', '1.5 KiB', '1 GiB'; -1 (or below) is 'unlimited'. */
export function formatBytes(n: number): string {
  if (n < 0) return 'unlimited';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  if (i === 0) return `${n} B`;
  const s = v >= 100 || Number.isInteger(v) ? v.toFixed(0) : v.toFixed(1).replace(/\.0$/, '');
  return `${s} ${units[i]}`;
}

/** Time since an epoch-ms instant: '3s ago', '2h ago'. */
export function formatAge(ms: number, now = Date.now()): string {
  if (ms <= 0) return '-';
  const d = Math.max(0, now - ms);
  if (d < 1000) return 'now';
  const s = formatDuration(d).split(' ')[0];
  return `${s} ago`;
}

function toPlain(v: unknown): unknown {
  if (Buffer.isBuffer(v) || v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64');
  if (Array.isArray(v)) return v.map(toPlain);
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = toPlain(x);
    return out;
  }
  return v;
}
