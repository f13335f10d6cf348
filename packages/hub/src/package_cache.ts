// Downloads cached by manifest digest under $EDDY_HOME/hub/cache/<digest>/, with a small index
// from registry + package name to digest, so a version fetched once is not fetched again.
// Versions are immutable on the Hub; a cached package is still re-verified on every read.
import fs from 'node:fs';
import path from 'node:path';
import { hubPaths } from './hub_home.ts';
import { verifyPackage, type VerifiedPackage } from './hub_package.ts';
import { PACKAGE_KINDS, type PackageKind } from './media_types.ts';
import { formatPackageRef, type PackageRef } from './package_ref.ts';
import { HubError } from './hub_error.ts';

export class PackageCache {
  readonly dir: string;

  constructor(dir = hubPaths().cache) {
    this.dir = dir;
  }

  #refFile(registry: string, ref: PackageRef): string {
    return path.join(this.dir, 'refs', registry.replace(/[^A-Za-z0-9.-]/g, '_'), ref.group, ref.name, ref.version);
  }

  #packageDir(digest: string): string {
    return path.join(this.dir, digest.replace(':', '-'));
  }

  /** The cached package, verified again; null when not cached. */
  get(registry: string, ref: PackageRef, kind: PackageKind | undefined, allowUnsigned: boolean): VerifiedPackage | null {
    let digest: string;
    try {
      digest = fs.readFileSync(this.#refFile(registry, ref), 'utf8').trim();
    } catch {
      return null;
    }
    const dir = this.#packageDir(digest);
    let index: { kind: PackageKind; files: string[] };
    try {
      index = JSON.parse(fs.readFileSync(path.join(dir, '.index.json'), 'utf8'));
    } catch {
      return null;
    }
    if (!PACKAGE_KINDS.includes(index.kind)) return null;
    const name = formatPackageRef(ref);
    if (kind !== undefined && index.kind !== kind) throw new HubError(`${name} is a ${index.kind} package, not a ${kind}`);
    const files = index.files.map((f) => ({ name: f, data: fs.readFileSync(path.join(dir, f)) }));
    return { ...verifyPackage(name, index.kind, files, allowUnsigned), digest };
  }

  /** Stores `pkg` (written aside, then renamed into place: a crash leaves nothing half-cached). */
  put(registry: string, ref: PackageRef, pkg: VerifiedPackage): string {
    const dir = this.#packageDir(pkg.digest);
    if (!fs.existsSync(dir)) {
      fs.mkdirSync(this.dir, { recursive: true });
      const tmp = fs.mkdtempSync(path.join(this.dir, '.tmp-'));
      for (const f of pkg.files) fs.writeFileSync(path.join(tmp, f.name), f.data);
      fs.writeFileSync(path.join(tmp, '.index.json'), JSON.stringify({ kind: pkg.kind, files: pkg.files.map((f) => f.name) }));
      try {
        fs.renameSync(tmp, dir);
      } catch (err) {
        fs.rmSync(tmp, { recursive: true, force: true });
        if (!fs.existsSync(dir)) throw err;
      }
    }
    const refFile = this.#refFile(registry, ref);
    fs.mkdirSync(path.dirname(refFile), { recursive: true });
    fs.writeFileSync(refFile, pkg.digest + '\n');
    return dir;
  }

  /** Where a cached file lives (for handing a path to tools). */
  filePath(digest: string, file: string): string {
    return path.join(this.#packageDir(digest), file);
  }
}
