import type { Command } from 'commander';
import type { Eddy } from '@eddy/client';
import { EddyError, ErrorCode } from '@eddy/protocol';
import { resolveArtifact } from '../artifact.ts';
import { SmdkError, systemErrorCode } from '../errors.ts';
import { formatSize } from '../format.ts';
import { nameProblem } from '../manifest.ts';
import { smdkCommand } from '../invocation.ts';

interface LoadOptions {
  name?: string;
  wasmFile?: string;
  path?: string;
  endpoint?: string;
  profile?: string;
  replace?: boolean;
}

const UNREACHABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT']);

export function registerLoad(program: Command): void {
  program
    .command('load')
    .description("register the built SmartModule on the current profile's cluster")
    .option('--name <name>', "name to register it under (default: the project's name)")
    .option('--wasm-file <file>', "load this .wasm instead of the project's build output")
    .option('--path <dir>', 'project directory (default: the one containing the working directory)')
    .option('--endpoint <host:port>', 'cluster to load into (default: the current profile\'s)')
    .option('--profile <name>', 'profile to use instead of the current one')
    .option('--replace', 'replace a SmartModule already registered under the name')
    .action(async (o: LoadOptions) => {
      const artifact = await resolveArtifact({ wasmFile: o.wasmFile, projectDir: o.path, log: (l) => process.stderr.write(l + '\n') });
      const name = o.name ?? artifact.name;
      const problem = nameProblem(name);
      if (problem) throw new SmdkError(`invalid SmartModule name: ${problem}${o.name ? '' : ' (set one with --name)'}`);
      const meta = artifact.project?.manifest.package;
      if (artifact.project) process.stdout.write(`Using SmartModule package: ${artifact.project.name}\n`);

      // Loaded here so the other commands start without the client.
      const { Eddy: Client } = await import('@eddy/client');
      let eddy: Eddy;
      try {
        eddy = await Client.connect({ ...(o.endpoint ? { endpoint: o.endpoint } : {}), ...(o.profile ? { profile: o.profile } : {}) });
      } catch (err) {
        throw unreachable(err, o.endpoint);
      }
      try {
        if (o.replace) {
          const existing = await eddy.admin().listSmartModules();
          if (existing.some((m) => m.name === name)) {
            process.stdout.write(`Replacing SmartModule: ${name}\n`);
            await eddy.admin().deleteSmartModule(name);
          }
        }
        process.stdout.write(`Creating SmartModule: ${name}\n`);
        await eddy.admin().createSmartModule(name, artifact.wasm, {
          ...(meta ? { version: meta.version, description: meta.description } : {}),
        });
      } catch (err) {
        if (err instanceof EddyError && err.code === ErrorCode.SmartModuleExists) {
          throw new SmdkError(`SmartModule '${name}' is already loaded; to replace it, run '${smdkCommand()} load --replace'`);
        }
        throw unreachable(err, o.endpoint);
      } finally {
        await eddy.close().catch(() => {});
      }
      process.stdout.write(`SmartModule "${name}" loaded (${formatSize(artifact.wasm.length)})\n`);
    });
}

function unreachable(err: unknown, endpoint: string | undefined): unknown {
  const code = systemErrorCode(err);
  if (code && UNREACHABLE.has(code)) {
    return new SmdkError(`cannot reach the cluster${endpoint ? ` at ${endpoint}` : ''} (is it running? try 'eddy cluster start')`);
  }
  return err;
}
