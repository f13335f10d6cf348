import type { Command } from 'commander';
import type { ConsumerOffsetInfo } from '@eddy/protocol';
import { globalsOf, withClient } from '../context.ts';
import { outputOption } from './options.ts';
import { printResult } from '../format/output.ts';
import type { Column, OutputFormat } from '../format/output.ts';
import { formatElapsed } from '../parse/duration.ts';

const COLUMNS: Column<ConsumerOffsetInfo>[] = [
  { header: 'CONSUMER', cell: (c) => c.consumer },
  { header: 'TOPIC', cell: (c) => c.topic },
  { header: 'PARTITION', cell: (c) => c.partition },
  { header: 'OFFSET', cell: (c) => c.offset },
  { header: 'LAST SEEN', cell: (c) => (c.modifiedMs > 0 ? `${formatElapsed(Math.max(0, Date.now() - c.modifiedMs))} ago` : '-') },
];

export function registerConsumer(program: Command): void {
  const consumer = program.command('consumer').description('named consumers and their committed offsets');

  consumer.command('list')
    .description('list named consumers with their offsets per partition')
    .option('--topic <topic>', 'only consumers of this topic')
    .addOption(outputOption())
    .action(async (o: { output: OutputFormat; topic?: string }, cmd: Command) => {
      const rows = await withClient(globalsOf(cmd), (eddy) => eddy.admin().listConsumers(o.topic));
      rows.sort((a, b) => a.consumer.localeCompare(b.consumer) || a.topic.localeCompare(b.topic) || a.partition - b.partition);
      printResult(o.output, rows, rows, COLUMNS, 'No consumers found');
    });

  consumer.command('delete')
    .description("delete a named consumer's offsets (of one topic with --topic)")
    .argument('<name>', 'consumer name')
    .option('--topic <topic>', 'only its offsets for this topic')
    .action(async (name: string, o: { topic?: string }, cmd: Command) => {
      await withClient(globalsOf(cmd), (eddy) => eddy.admin().deleteConsumer(name, o.topic));
      process.stdout.write(`consumer "${name}" deleted${o.topic ? ` for topic "${o.topic}"` : ''}\n`);
    });
}
