import { Command, CommanderError } from 'commander';
import { EDDY_VERSION } from '@eddy/protocol';
import { reportError } from './errors.ts';

export const VERSION = EDDY_VERSION;

type Register = (program: Command) => unknown;

/**
 * Command groups, loaded on demand: `eddy topic list` loads only the topic module (and what it
 * imports), which keeps start-up short. Help and unknown commands load them all.
 */
const GROUPS: Record<string, () => Promise<Register>> = {
  cluster: async () => (await import('./commands/cluster.ts')).registerCluster,
  topic: async () => (await import('./commands/topic.ts')).registerTopic,
  partition: async () => (await import('./commands/partition.ts')).registerPartition,
  consumer: async () => (await import('./commands/consumer.ts')).registerConsumer,
  profile: async () => (await import('./commands/profile.ts')).registerProfile,
  produce: async () => (await import('./commands/produce.ts')).registerProduce,
  consume: async () => (await import('./commands/consume.ts')).registerConsume,
  smartmodule: async () => (await import('./commands/smartmodule.ts')).registerSmartModule,
  graph: async () => (await import('./commands/graph.ts')).registerGraph,
  connector: async () => (await import('./commands/connector.ts')).registerConnector,
  hub: async () => (await import('./commands/hub.ts')).registerHub,
  bench: async () => (await import('./commands/bench.ts')).registerBench,
  completion: async () => (await import('./commands/completion.ts')).registerCompletion,
};
const ALIASES: Record<string, string> = { sm: 'smartmodule' };

/** Global options that take a value (so their value is not mistaken for the command). */
const GLOBAL_WITH_VALUE = new Set(['--endpoint', '--profile']);

/** The command group named on the command line, if it is a known one. */
export function requestedGroup(args: readonly string[]): string | null {
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (GLOBAL_WITH_VALUE.has(a)) { i++; continue; }
    if (a.startsWith('-')) continue;
    const name = ALIASES[a] ?? a;
    return Object.hasOwn(GROUPS, name) ? name : null;
  }
  return null;
}

/**
 * The command tree: only `group` (or the groups listed) when given, else all. Errors surface as exceptions
 * (exitOverride), printed by main().
 */
export async function buildProgram(group: string | readonly string[] | null = null): Promise<Command> {
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
  const names = group === null ? Object.keys(GROUPS) : typeof group === 'string' ? [group] : group;
  const registers = await Promise.all(names.map((n) => GROUPS[n]()));
  for (const register of registers) register(program);
  return program;
}

/** Runs the CLI: every failure is one line on stderr and a non-zero exit code. */
export async function main(argv: string[]): Promise<void> {
  try {
    const args = argv.slice(2);
    const group = requestedGroup(args);
    const versionOnly = group === null && (args.includes('-V') || args.includes('--version'));
    const program = await buildProgram(versionOnly ? [] : group);
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
