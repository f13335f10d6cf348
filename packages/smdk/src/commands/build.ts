import type { Command } from 'commander';
import { compileProject } from '../compile.ts';
import { displayPath, formatSize } from '../format.ts';
import { findProject } from '../project.ts';

interface BuildOptions {
  path?: string;
  release?: boolean;
  target?: string;
}

export function registerBuild(program: Command): void {
  program
    .command('build')
    .description('compile the SmartModule project to an optimized .wasm (build/<name>.wasm)')
    .option('--path <dir>', 'project directory (default: the one containing the working directory)')
    .option('--release', 'optimized release build (the default; kept for Fluvio habits)')
    .option('--target <name>', "asconfig.json target to build (e.g. 'debug'); writes build/<name>.<target>.wasm")
    .action(async (o: BuildOptions) => {
      const project = findProject(o.path);
      const target = o.target ?? 'release';
      const result = await compileProject(project, { target });
      if (result.warnings) process.stderr.write(result.warnings + '\n');
      process.stdout.write(`Built ${project.name}: ${displayPath(result.wasmFile)} (${formatSize(result.size)}, ${result.size} bytes)\n`);
    });
}
