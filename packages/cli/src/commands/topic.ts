import type { Command } from 'commander';
import { Option } from 'commander';
import { EddyError, errorCodeName } from '@eddy/protocol';
import type { Topic, TopicSpec } from '@eddy/protocol';
import { CliError } from '../errors.ts';
import { globalsOf, withClient } from '../context.ts';
import { validateResourceName } from '../names.ts';
import { intArg, sizeArg, positiveDurationArg, outputOption } from './options.ts';
import { printResult } from '../format/output.ts';
import type { Column, OutputFormat } from '../format/output.ts';
import { formatDuration } from '../parse/duration.ts';
import { formatSize } from '../parse/size.ts';

export const COMPRESSION_TYPES = ['any', 'none', 'gzip', 'snappy', 'lz4', 'zstd'] as const;
export const FLUSH_POLICIES = ['os', 'fsync'] as const;

/** Defaults for a new topic (Fluvio's: 7 days retention, 1 GB segments). */
export const TOPIC_DEFAULTS: TopicSpec = {
  partitions: 1,
  replicationFactor: 1,
  retentionMs: 7 * 86_400_000,
  retentionBytes: -1,
  segmentBytes: 1024 ** 3,
  maxRecordBytes: 1024 ** 2,
  compression: 'any',
  flush: 'os',
};

interface CreateOptions {
  partitions: number;
  replication: number;
  retentionTime?: number;
  retentionSize?: number;
  segmentSize?: number;
  maxRecordSize?: number;
  compressionType: string;
  flush: string;
  dryRun?: boolean;
}

export function registerTopic(program: Command): void {
  const topic = program.command('topic').description('create, list, describe and delete topics');

  topic.command('create')
    .description('create a topic')
    .argument('<name>', 'topic name: lowercase letters, digits and -')
    .addOption(new Option('-p, --partitions <n>', 'number of partitions').argParser(intArg(1, 100_000)).default(1))
    .addOption(new Option('-r, --replication <n>', 'replication factor').argParser(intArg(1, 32_767)).default(1))
    .addOption(new Option('--retention-time <time>', "delete segments older than this, e.g. '12h', '7d' (default 7d)").argParser(positiveDurationArg()))
    .addOption(new Option('--retention-size <bytes>', "keep at most this much data per partition, e.g. '10GB' (default unlimited)").argParser(sizeArg(Number.MAX_SAFE_INTEGER, 1)))
    .addOption(new Option('--max-partition-size <bytes>', 'alias of --retention-size (Fluvio)').argParser(sizeArg(Number.MAX_SAFE_INTEGER, 1)).hideHelp())
    .addOption(new Option('--segment-size <bytes>', "roll to a new segment at this size, e.g. '1GB' (default 1GiB)").argParser(sizeArg(2 ** 53, 1)))
    .addOption(new Option('--max-record-size <bytes>', "largest record accepted, e.g. '1MB' (default 1MiB)").argParser(sizeArg(2 ** 31 - 1, 1)))
    .addOption(new Option('--compression-type <type>', 'how the broker stores batches (any keeps what producers send)').choices(COMPRESSION_TYPES).default('any'))
    .addOption(new Option('--flush <policy>', 'os: ack once the OS has the write (survives a process crash); fsync: ack after fdatasync (survives a machine crash)').choices(FLUSH_POLICIES).default('os'))
    .option('-d, --dry-run', 'validate the configuration without creating the topic')
    .action(async (name: string, o: CreateOptions & { maxPartitionSize?: number }, cmd: Command) => {
      validateResourceName('topic', name);
      const spec: TopicSpec = {
        ...TOPIC_DEFAULTS,
        partitions: o.partitions,
        replicationFactor: o.replication,
        retentionMs: o.retentionTime ?? TOPIC_DEFAULTS.retentionMs,
        retentionBytes: o.retentionSize ?? o.maxPartitionSize ?? TOPIC_DEFAULTS.retentionBytes,
        segmentBytes: o.segmentSize ?? TOPIC_DEFAULTS.segmentBytes,
        maxRecordBytes: o.maxRecordSize ?? TOPIC_DEFAULTS.maxRecordBytes,
        compression: o.compressionType,
        flush: o.flush,
      };
      await withClient(globalsOf(cmd), async (eddy) => {
        await eddy.admin().createTopic(name, spec, { dryRun: !!o.dryRun });
      });
      process.stdout.write(o.dryRun ? `topic "${name}" is valid (dry run, not created)\n` : `topic "${name}" created\n`);
    });

  topic.command('list')
    .description('list topics')
    .addOption(outputOption())
    .action(async (o: { output: OutputFormat }, cmd: Command) => {
      const topics = await withClient(globalsOf(cmd), (eddy) => eddy.admin().listTopics());
      topics.sort((a, b) => a.name.localeCompare(b.name));
      printResult(o.output, topics, topics, TOPIC_COLUMNS, 'No topics found');
    });

  topic.command('describe')
    .description("show a topic's configuration and status")
    .argument('<name>', 'topic name')
    .addOption(outputOption())
    .action(async (name: string, o: { output: OutputFormat }, cmd: Command) => {
      const t = await withClient(globalsOf(cmd), (eddy) => eddy.admin().describeTopic(name));
      printResult(o.output, t, describeRows(t), DESCRIBE_COLUMNS, '');
    });

  topic.command('delete')
    .description('delete topics and their data (several names may be given)')
    .argument('<names...>', 'topic names')
    .action(async (names: string[], _o: unknown, cmd: Command) => {
      // As Fluvio: each name is tried; the ones that fail are reported and the exit code is 1.
      const failed: string[] = [];
      await withClient(globalsOf(cmd), async (eddy) => {
        for (const name of names) {
          try {
            await eddy.admin().deleteTopic(name);
            process.stdout.write(`topic "${name}" deleted\n`);
          } catch (err) {
            if (names.length === 1 || !(err instanceof EddyError)) throw err;
            failed.push(`${name}: ${err.message || errorCodeName(err.code)}`);
          }
        }
      });
      if (failed.length > 0) throw new CliError(`${failed.length} of ${names.length} topics not deleted (${failed.join('; ')})`);
    });
}

const TOPIC_COLUMNS: Column<Topic>[] = [
  { header: 'NAME', cell: (t) => t.name },
  { header: 'PARTITIONS', cell: (t) => t.spec.partitions },
  { header: 'REPLICAS', cell: (t) => t.spec.replicationFactor },
  { header: 'RETENTION TIME', cell: (t) => formatDuration(t.spec.retentionMs) },
  { header: 'RETENTION SIZE', cell: (t) => formatSize(t.spec.retentionBytes) },
  { header: 'COMPRESSION', cell: (t) => t.spec.compression },
  { header: 'FLUSH', cell: (t) => t.spec.flush },
  { header: 'STATUS', cell: (t) => t.status.resolution },
  { header: 'REASON', cell: (t) => t.status.reason },
];

interface Field { field: string; value: string | number }
const DESCRIBE_COLUMNS: Column<Field>[] = [
  { header: 'FIELD', cell: (r) => r.field },
  { header: 'VALUE', cell: (r) => r.value },
];

function describeRows(t: Topic): Field[] {
  const s = t.spec;
  const online = t.status.partitions.filter((p) => p.status === 'Online').length;
  const size = t.status.partitions.reduce((n, p) => n + p.sizeBytes, 0);
  const records = t.status.partitions.reduce((n, p) => n + Math.max(0, p.highWatermark - p.logStartOffset), 0);
  return [
    { field: 'Name', value: t.name },
    { field: 'Status', value: t.status.resolution + (t.status.reason ? ` (${t.status.reason})` : '') },
    { field: 'Partitions', value: `${s.partitions} (${online} online)` },
    { field: 'Replication factor', value: s.replicationFactor },
    { field: 'Retention time', value: formatDuration(s.retentionMs) },
    { field: 'Retention size', value: formatSize(s.retentionBytes) },
    { field: 'Segment size', value: formatSize(s.segmentBytes) },
    { field: 'Max record size', value: formatSize(s.maxRecordBytes) },
    { field: 'Compression', value: s.compression },
    { field: 'Flush', value: s.flush },
    { field: 'Stored', value: `${formatSize(size)}, ${records} records` },
  ];
}
