// `smdk publish [--pack] [--push] [--public-yes]`: packs the built SmartModule as a Hub package
// (Fluvio's package-meta.yaml; module and SmartModule.toml signed with the key `eddy hub login`
// made) into .hub/<name>-<version>/, and pushes it to the hub's OCI registry. `smdk set-public`
// makes a published package readable by everyone.
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline/promises';
import type { Command } from 'commander';
import type { HubPackage, PackageFile } from '@eddy/hub';
import { resolveArtifact } from '../artifact.ts';
import { SmdkError } from '../errors.ts';
import { formatSize } from '../format.ts';
import { formatManifest, MANIFEST_FILE } from '../manifest.ts';
import { chooseGroup, GROUP_HINT, hubOwner, npmScope } from '../hub_group.ts';
import { findProject, openProject, type Project } from '../project.ts';

interface PublishOptions {
  pack?: boolean;
  push?: boolean;
  publicYes?: boolean;
  hub?: string;
  path?: string;
  allowUnsigned?: boolean;
}

type Hub = typeof import('@eddy/hub');

/** Loaded on use, so smdk's other commands start without it; its errors become smdk's one line. */
async function withHub<T>(fn: (hub: Hub) => Promise<T>): Promise<T> {
  const hub = await import('@eddy/hub');
  try {
    return await fn(hub);
  } catch (err) {
    if (err instanceof hub.HubError) throw new SmdkError(err.message);
    throw err;
  }
}

/** The group to publish under: SmartModule.toml's, else the hub login's owner, else the npm scope. */
async function publishGroup(project: Project): Promise<string> {
  const group = chooseGroup(project.manifest.package.group, await hubOwner(), npmScope(project.dir));
  if (group === null) throw new SmdkError(`${MANIFEST_FILE} has no package.group and you are not logged in to a hub: ${GROUP_HINT}`);
  return group;
}

function packDir(project: Project): string {
  const p = project.manifest.package;
  return path.join(project.dir, '.hub', `${p.name}-${p.version}`);
}

/** Asks before a package becomes readable by everyone; without a terminal, --public-yes is the answer. */
async function confirmPublic(what: string, yes: boolean | undefined): Promise<void> {
  if (yes) return;
  if (!process.stdin.isTTY) throw new SmdkError(`${what} is public: anyone will be able to download it; confirm with --public-yes`);
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
  const answer = await rl.question(`${what} is public: anyone will be able to download it. Continue? [y/N] `);
  rl.close();
  if (!/^y(es)?$/i.test(answer.trim())) throw new SmdkError('publish cancelled');
}

export function registerPublish(program: Command): void {
  program
    .command('publish')
    .description('pack the built SmartModule as a signed Hub package and push it to the hub (default: both)')
    .option('--pack', 'only pack into .hub/<name>-<version>/')
    .option('--push', 'only push what --pack made')
    .option('--public-yes', 'do not ask before publishing a public package')
    .option('--hub <url>', 'registry (default: $EDDY_HUB or the hub `eddy hub login` recorded)')
    .option('--path <dir>', 'project directory (default: the one containing the working directory)')
    .action(async (o: PublishOptions) => withHub(async (hub) => {
      const project = o.path ? openProject(o.path) : findProject();
      const p = project.manifest.package;
      const group = await publishGroup(project);
      const name = `${group}/${p.name}@${p.version}`;
      const doPack = o.pack === true || o.push !== true;
      const doPush = o.push === true || o.pack !== true;
      if (p.visibility === 'public' && doPush) await confirmPublic(name, o.publicYes);
      const dir = packDir(project);

      let pkg: HubPackage;
      if (doPack) {
        const artifact = await resolveArtifact({ projectDir: project.dir, log: (l) => process.stderr.write(l + '\n') });
        const key = hub.readSigningKey(hub.hubPaths().key);
        const files: PackageFile[] = [
          { name: `${p.name}.wasm`, data: artifact.wasm },
          // A defaulted group is written into the packed copy: the package names its group.
          { name: MANIFEST_FILE, data: p.group === group ? fs.readFileSync(path.join(project.dir, MANIFEST_FILE)) : Buffer.from(formatManifest({ ...project.manifest, package: { ...p, group } })) },
        ];
        pkg = hub.buildPackage('smartmodule', {
          group, name: p.name, version: p.version, description: p.description, license: p.license, visibility: p.visibility,
        }, files, key);
        fs.rmSync(dir, { recursive: true, force: true });
        fs.mkdirSync(dir, { recursive: true });
        for (const f of pkg.files) fs.writeFileSync(path.join(dir, f.name), f.data);
        process.stdout.write(`packed ${name} into ${path.relative(process.cwd(), dir) || '.'} (${formatSize(artifact.wasm.length)} module, signed)\n`);
      } else {
        if (!fs.existsSync(dir)) throw new SmdkError(`nothing packed at ${dir}: run 'smdk publish --pack' first`);
        const files = fs.readdirSync(dir).sort().map((f) => ({ name: f, data: fs.readFileSync(path.join(dir, f)) }));
        // What goes out is what was signed: the packed files are checked before the upload.
        pkg = hub.verifyPackage(name, 'smartmodule', files, false);
      }
      if (!doPush) return;

      const client = new hub.HubClient({ registry: o.hub });
      const { digest } = await client.publish(pkg);
      const credentials = hub.savedCredentials();
      await hub.setVisibility(client.oci, credentials, group, p.name, pkg.meta.visibility);
      process.stdout.write(`published ${name} (${pkg.meta.visibility}) to ${client.registry} as ${digest}\n`);
    }));

  program
    .command('set-public')
    .description("make the project's published package readable by everyone")
    .option('--public-yes', 'do not ask first')
    .option('--hub <url>', 'registry (default: $EDDY_HUB or the hub `eddy hub login` recorded)')
    .option('--path <dir>', 'project directory (default: the one containing the working directory)')
    .action(async (o: PublishOptions) => withHub(async (hub) => {
      const project = o.path ? openProject(o.path) : findProject();
      const p = project.manifest.package;
      const group = await publishGroup(project);
      const name = `${group}/${p.name}`;
      await confirmPublic(name, o.publicYes);
      const client = new hub.HubClient({ registry: o.hub });
      const done = await hub.setVisibility(client.oci, hub.savedCredentials(), group, p.name, 'public');
      process.stdout.write(done ? `${name} is now public\n` : `${client.registry} has no token service: everything on it is public\n`);
    }));
}
