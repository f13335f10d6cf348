// `node packages/cli/src/bench/standalone.ts bench <mode> ...` (what `npm run bench -- <mode>` runs):
// the eddy program with `bench` registered, usable whether or not main.ts wires it in yet.
import { CommanderError } from 'commander';
import { buildProgram } from '../main.ts';
import { registerBench } from '../commands/bench.ts';
import { reportError } from '../errors.ts';

const program = buildProgram();
if (!program.commands.some((c) => c.name() === 'bench')) registerBench(program);
try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    if (err.exitCode !== 0 && err.code !== 'commander.helpDisplayed' && err.code !== 'commander.version' && err.code !== 'commander.help') {
      process.stderr.write(`error: ${err.message.replace(/^error: /, '').trim().replace(/\s*\n\s*/g, ' ')}\n`);
    }
    process.exitCode = err.exitCode;
  } else {
    reportError(err);
  }
}
