import { Command, CommanderError } from 'commander';
import { CompileError, SmdkError, errorLine } from './errors.ts';
import { registerGenerate } from './commands/generate.ts';
import { registerBuild } from './commands/build.ts';
import { registerTest } from './commands/test.ts';
import { registerLoad } from './commands/load.ts';
import { registerPublish } from './commands/publish.ts';
import { EDDY_VERSION } from '@eddy/protocol';

export const VERSION = EDDY_VERSION;

/** The whole command tree. Errors surface as exceptions (exitOverride), printed by main(). */
export function buildProgram(): Command {
  const program = new Command('smdk');
  program
    .description('SmartModule development kit: generate, build, test and load Eddy SmartModules (AssemblyScript)')
    .version(VERSION, '-V, --version')
    .showSuggestionAfterError(true)
    .exitOverride()
    // Commander's own messages are re-printed by main() as one line.
    .configureOutput({ outputError: () => {} });
  registerGenerate(program);
  registerBuild(program);
  registerTest(program);
  registerLoad(program);
  registerPublish(program);
  for (const sub of program.commands) sub.exitOverride().configureOutput({ outputError: () => {} });
  return program;
}

/** Runs smdk: every failure is one line on stderr (after asc's diagnostics for a failed build) and a non-zero exit. */
export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
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
    if (err instanceof CompileError && err.diagnostics) process.stderr.write(err.diagnostics + '\n');
    process.stderr.write(errorLine(err) + '\n');
    if (process.env.SMDK_DEBUG && err instanceof Error && err.stack) process.stderr.write(err.stack + '\n');
    process.exitCode = err instanceof SmdkError ? err.exitCode : 1;
  }
}
