import { Command, CommanderError } from 'commander';
import { reportError } from './errors.ts';
import { registerCluster } from './commands/cluster.ts';
import { registerTopic } from './commands/topic.ts';
import { registerPartition } from './commands/partition.ts';
import { registerConsumer } from './commands/consumer.ts';
import { registerProfile } from './commands/profile.ts';
import { registerProduce } from './commands/produce.ts';
import { registerConsume } from './commands/consume.ts';
import { registerSmartModule } from './commands/smartmodule.ts';
import { registerBench } from './commands/bench.ts';

export const VERSION = '0.1.0';

/** The whole command tree. Errors surface as exceptions (exitOverride), printed by main(). */
export function buildProgram(): Command {
  const program = new Command('eddy');
  program
    .description('Eddy: a streaming platform for Node.js (topics, partitions, SmartModules)')
    .version(VERSION, '-V, --version')
    .option('--endpoint <host:port>', 'cluster to talk to (overrides the profile)')
    .option('--profile <name>', 'profile to use instead of the current one')
    .showSuggestionAfterError(true)
    .exitOverride()
    // Commander's messages are re-printed by main() as one line; its own printing is muted.
    .configureOutput({ outputError: () => {} });

  registerCluster(program);
  registerTopic(program);
  registerPartition(program);
  registerConsumer(program);
  registerProfile(program);
  registerProduce(program);
  registerConsume(program);
  registerSmartModule(program);
  registerBench(program);
  return program;
}

/** Runs the CLI: every failure is one line on stderr and a non-zero exit code. */
export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version come through here too, with exit code 0.
      if (err.exitCode === 0 || err.code === 'commander.helpDisplayed' || err.code === 'commander.version') {
        process.exitCode = 0;
        return;
      }
      if (err.code === 'commander.help' || err.code === 'commander.executeSubCommandAsync') {
        process.exitCode = err.exitCode;
        return;
      }
      process.stderr.write(`error: ${err.message.replace(/^error: /, '').trim().replace(/\s*\n\s*/g, ' ')}\n`);
      process.exitCode = err.exitCode || 1;
      return;
    }
    reportError(err);
  }
}
