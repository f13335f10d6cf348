import type { Command } from 'commander';
import { SmdkError } from '../errors.ts';
import { displayPath } from '../format.ts';
import { generateProject, parseSmType, SM_TYPES } from '../generate.ts';
import { SCAFFOLD_EXAMPLES, exampleArgs } from '../scaffold_examples.ts';
import { smdkCommand } from '../invocation.ts';
import { GROUP_HINT, hubOwner } from '../hub_group.ts';

interface GenerateCmdOptions {
  smType?: string;
  withParams?: boolean;
  noParams?: boolean;
  destination?: string;
  projectGroup?: string;
  description?: string;
}

export function registerGenerate(program: Command): void {
  program
    .command('generate')
    .description('create a new SmartModule project (AssemblyScript) in NAME/')
    .argument('<name>', 'project and SmartModule name (lowercase letters, digits and -)')
    .option('--sm-type <type>', `type of SmartModule: ${SM_TYPES.join(', ')}`)
    .option('--with-params', 'include init parameters in the generated project')
    .option('--no-params', 'no init parameters (the default)')
    .option('--destination <dir>', 'directory to create NAME/ in (default: the working directory)')
    .option('--project-group <group>', 'hub group recorded in SmartModule.toml (default: the owner `eddy hub login` recorded)')
    .option('--description <text>', 'description recorded in SmartModule.toml and package.json')
    .action(async (name: string, o: GenerateCmdOptions) => {
      if (!o.smType) throw new SmdkError(`choose the SmartModule type with --sm-type ${SM_TYPES.join('|')}`);
      const smType = parseSmType(o.smType);
      process.stdout.write(`Generating new SmartModule project: ${name}\n`);
      const r = generateProject({
        name,
        smType,
        withParams: !!o.withParams,
        destination: o.destination,
        group: o.projectGroup ?? (await hubOwner()),
        description: o.description,
      });
      const where = displayPath(r.dir);
      const ex = SCAFFOLD_EXAMPLES[smType][o.withParams ? 'params' : 'plain'];
      const args = exampleArgs(ex).map((a) => (a.includes('=') ? ` '${a}'` : ` ${a}`)).join('');
      const smdk = smdkCommand();
      process.stdout.write(
        `Created ${where} (${smType}${o.withParams ? ', with params' : ''}): ${r.files.join(', ')}\n` +
          `Next: cd ${where} && ${smdk} build && ${smdk} test --text '${ex.input[0]}'${args}\n` +
          (r.group === '' ? `Before '${smdk} publish': ${GROUP_HINT}\n` : `Hub group: ${r.group} (package.group in SmartModule.toml)\n`),
      );
    });
}
