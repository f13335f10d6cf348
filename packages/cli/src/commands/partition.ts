import type { Command } from 'commander';
import type { PartitionStatus } from '@eddy/protocol';
import { globalsOf, withClient } from '../context.ts';
import { outputOption } from './options.ts';
import { printResult } from '../format/output.ts';
import type { Column, OutputFormat } from '../format/output.ts';
import { formatSize } from '../parse/size.ts';

type Row = { topic: string; status: PartitionStatus };

const COLUMNS: Column<Row>[] = [
  { header: 'TOPIC', cell: (r) => r.topic },
  { header: 'PARTITION', cell: (r) => r.status.partition },
  { header: 'LEADER', cell: (r) => r.status.leader },
  { header: 'STATUS', cell: (r) => r.status.status },
  { header: 'SIZE', cell: (r) => formatSize(r.status.sizeBytes) },
  { header: 'LOG START', cell: (r) => r.status.logStartOffset },
  { header: 'HW', cell: (r) => r.status.highWatermark },
  // A damaged partition still serves what it holds; this names the offsets it lost.
  { header: 'DAMAGE', cell: (r) => r.status.damage || '-' },
];

export function registerPartition(program: Command): void {
  const partition = program.command('partition').description('inspect partitions');
  partition.command('list')
    .description("list partitions, of all topics or of one")
    .argument('[topic]', 'only this topic')
    .addOption(outputOption())
    .action(async (topic: string | undefined, o: { output: OutputFormat }, cmd: Command) => {
      const rows = await withClient(globalsOf(cmd), (eddy) => eddy.admin().listPartitions(topic));
      rows.sort((a, b) => a.topic.localeCompare(b.topic) || a.status.partition - b.status.partition);
      printResult(o.output, rows, rows, COLUMNS, 'No partitions found');
    });
}
