import type { Command } from 'commander';
import { SmdkError } from '../errors.ts';

export function registerPublish(program: Command): void {
  program
    .command('publish')
    .description('publish the SmartModule to the Hub (not available yet)')
    .allowUnknownOption(true)
    .allowExcessArguments(true)
    .action(() => {
      throw new SmdkError("publishing needs the SmartModule Hub, which Eddy does not have yet; use 'smdk load' to register the module on a cluster");
    });
}
