// `cdk publish [--pack] [--push] [--public-yes] [--group G] [--hub URL]`: packs the connector
// project as a Hub connector package (Fluvio's package-meta.yaml; the project's `npm pack`
// tarball and its package.json, signed with the key `eddy hub login` made) into
// .hub/<name>-<version>/, and pushes it to the hub. `cdk set-public` makes it readable by everyone.
// The group is --group, else package.json's `eddy.group`, else its npm scope; the visibility is
// package.json's `eddy.visibility` (default private).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline/promises';
import type { HubPackage } from '@eddy/hub';
import { CdkError } from './project.ts';

type Hub = typeof import('@eddy/hub');
type Out = (t: string) => void;

export interface PublishOptions {
  dir: string;
  pack?: boolean;
  push?: boolean;
  publicYes?: boolean;
  group?: string;
  hub?: string;
}

interface Identity {
  group: string;
  name: string;
  version: string;
  description: string;
  license: string;
  visibility: 'public' | 'private';
}

/** Loaded on use, so cdk's other commands start without it; its errors become cdk's one line. */
async function withHub<T>(fn: (hub: Hub) => Promise<T>): Promise<T> {
  const hub = await import('@eddy/hub');
  try {
    return await fn(hub);
  } catch (err) {
    if (err instanceof hub.HubError) throw new CdkError(err.message);
    throw err;
  }
}

function identity(dir: string, groupFlag: string | undefined): Identity {
  const file = path.join(dir, 'package.json');
  let pkg: { name?: string; version?: string; description?: string; license?: string; eddy?: { group?: string; visibility?: string } };
  try {
    pkg = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new CdkError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const scoped = /^@([^/]+)\/(.+)$/.exec(pkg.name ?? '');
  const group = groupFlag ?? pkg.eddy?.group ?? scoped?.[1];
  if (group === undefined) throw new CdkError(`${file} names no hub group: give --group, set "eddy": {"group": ...}, or use a scoped package name`);
  const visibility = pkg.eddy?.visibility ?? 'private';
  if (visibility !== 'public' && visibility !== 'private') throw new CdkError(`${file}: eddy.visibility must be public or private, not '${visibility}'`);
  return {
    group, name: scoped?.[2] ?? pkg.name ?? '', version: pkg.version ?? '',
    description: pkg.description ?? '', license: pkg.license ?? '', visibility,
  };
}

/** Asks before a package becomes readable by everyone; without a terminal, --public-yes is the answer. */
async function confirmPublic(what: string, yes: boolean | undefined): Promise<void> {
  if (yes) return;
  if (!process.stdin.isTTY) throw new CdkError(`${what} is public: anyone will be able to download it; confirm with --public-yes`);
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
  const answer = await rl.question(`${what} is public: anyone will be able to download it. Continue? [y/N] `);
  rl.close();
  if (!/^y(es)?$/i.test(answer.trim())) throw new CdkError('publish cancelled');
}

/** The project as npm would publish it (its `files`, no scripts run). */
function npmPack(dir: string): Buffer {
  const dest = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-pack-'));
  try {
    const r = spawnSync('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', dest], { cwd: dir, encoding: 'utf8' });
    if (r.error) throw new CdkError(`cannot run npm pack: ${r.error.message}`);
    if (r.status !== 0) throw new CdkError(`npm pack failed: ${(r.stderr || r.stdout).trim().split('\n').pop() ?? ''}`);
    const tgz = fs.readdirSync(dest).filter((f) => f.endsWith('.tgz'));
    if (tgz.length !== 1) throw new CdkError(`npm pack made ${tgz.length} tarballs, expected one`);
    return fs.readFileSync(path.join(dest, tgz[0]));
  } finally {
    fs.rmSync(dest, { recursive: true, force: true });
  }
}

export async function publish(o: PublishOptions, out: Out): Promise<number> {
  return withHub(async (hub) => {
    const id = identity(o.dir, o.group);
    const name = `${id.group}/${id.name}@${id.version}`;
    hub.parsePackageRef(name); // a bad group, name or version fails before packing
    const doPack = o.pack === true || o.push !== true;
    const doPush = o.push === true || o.pack !== true;
    if (id.visibility === 'public' && doPush) await confirmPublic(name, o.publicYes);
    const packDir = path.join(o.dir, '.hub', `${id.name}-${id.version}`);
    let pkg: HubPackage;
    if (doPack) {
      const key = hub.readSigningKey(hub.hubPaths().key);
      const tgz = npmPack(o.dir);
      pkg = hub.buildPackage('connector', {
        group: id.group, name: id.name, version: id.version, description: id.description, license: id.license, visibility: id.visibility,
      }, [
        { name: 'connector.tgz', data: tgz },
        { name: 'package.json', data: fs.readFileSync(path.join(o.dir, 'package.json')) },
      ], key);
      fs.rmSync(packDir, { recursive: true, force: true });
      fs.mkdirSync(packDir, { recursive: true });
      for (const f of pkg.files) fs.writeFileSync(path.join(packDir, f.name), f.data);
      out(`packed ${name} into ${path.relative(process.cwd(), packDir) || '.'} (${tgz.length} bytes, signed)\n`);
    } else {
      if (!fs.existsSync(packDir)) throw new CdkError(`nothing packed at ${packDir}: run 'cdk publish --pack' first`);
      const files = fs.readdirSync(packDir).sort().map((f) => ({ name: f, data: fs.readFileSync(path.join(packDir, f)) }));
      // What goes out is what was signed: the packed files are checked before the upload.
      pkg = hub.verifyPackage(name, 'connector', files, false);
    }
    if (!doPush) return 0;
    const client = new hub.HubClient({ registry: o.hub });
    const { digest } = await client.publish(pkg);
    await hub.setVisibility(client.oci, hub.savedCredentials(), id.group, id.name, pkg.meta.visibility);
    out(`published ${name} (${pkg.meta.visibility}) to ${client.registry} as ${digest}\n`);
    return 0;
  });
}

export async function setPublic(o: PublishOptions, out: Out): Promise<number> {
  return withHub(async (hub) => {
    const id = identity(o.dir, o.group);
    const name = `${id.group}/${id.name}`;
    await confirmPublic(name, o.publicYes);
    const client = new hub.HubClient({ registry: o.hub });
    const done = await hub.setVisibility(client.oci, hub.savedCredentials(), id.group, id.name, 'public');
    out(done ? `${name} is now public\n` : `${client.registry} has no token service: everything on it is public\n`);
    return 0;
  });
}
