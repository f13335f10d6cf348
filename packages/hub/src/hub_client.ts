// The Hub as the CLI and smdk use it: fetch a package (from the cache when it is there), list
// what the caller may read, publish.
import { OciClient } from './oci_client.ts';
import { pullPackage, pushPackage, type HubPackage, type VerifiedPackage } from './hub_package.ts';
import { PackageCache } from './package_cache.ts';
import { OCI_MANIFEST, kindOfArtifact, type PackageKind } from './media_types.ts';
import { savedCredentials } from './owner_proof.ts';
import { resolveRegistry } from './hub_home.ts';
import { HubError } from './hub_error.ts';
import type { PackageRef } from './package_ref.ts';
import type { Credentials } from './oci_client.ts';

export interface HubClientOptions {
  /** Registry URL; default --hub / $EDDY_HUB / the recorded local hub. */
  registry?: string;
  /** Default: the saved login, else anonymous. */
  credentials?: Credentials | null;
  cache?: PackageCache;
}

export interface ListedPackage {
  group: string;
  name: string;
  version: string;
  kind: PackageKind;
  description: string;
  visibility: string;
}

export class HubClient {
  readonly oci: OciClient;
  readonly cache: PackageCache;

  constructor(o: HubClientOptions = {}) {
    const credentials = o.credentials === null ? undefined : (o.credentials ?? savedCredentials());
    this.oci = new OciClient(resolveRegistry(o.registry), { credentials });
    this.cache = o.cache ?? new PackageCache();
  }

  get registry(): string {
    return this.oci.url;
  }

  /** The verified package: from the cache when this registry's version is there, else pulled and cached. */
  async fetch(ref: PackageRef, o: { kind?: PackageKind; allowUnsigned?: boolean } = {}): Promise<VerifiedPackage & { cached: boolean; dir: string }> {
    const allowUnsigned = o.allowUnsigned === true;
    const hit = this.cache.get(this.registry, ref, o.kind, allowUnsigned);
    if (hit) return { ...hit, cached: true, dir: this.cache.filePath(hit.digest, '') };
    const pkg = await pullPackage(this.oci, ref, { kind: o.kind, allowUnsigned });
    const dir = this.cache.put(this.registry, ref, pkg);
    return { ...pkg, cached: false, dir };
  }

  async publish(pkg: HubPackage): Promise<{ digest: string }> {
    return pushPackage(this.oci, pkg);
  }

  /** Every package version of `kind` the caller may read (private ones of others are skipped). */
  async list(kind?: PackageKind): Promise<ListedPackage[]> {
    const repos = await this.oci.catalog();
    const out: ListedPackage[] = [];
    await Promise.all(repos.map(async (repo) => {
      const parts = repo.split('/');
      if (parts.length !== 2) return;
      const tags = await this.oci.listTags(repo);
      if (tags === null) return;
      await Promise.all(tags.map(async (tag) => {
        const m = await this.oci.getManifest(repo, tag, [OCI_MANIFEST]).catch(() => null);
        if (!m) return;
        let doc: { artifactType?: string; config?: { mediaType?: string; digest?: string; size?: number } };
        try { doc = JSON.parse(m.bytes.toString('utf8')); } catch { return; }
        const k = kindOfArtifact(doc.artifactType, doc.config?.mediaType);
        if (k === null || (kind !== undefined && k !== kind) || !doc.config?.digest) return;
        let meta: { description?: string; visibility?: string } = {};
        try { meta = JSON.parse((await this.oci.getBlob(repo, doc.config.digest, doc.config.size)).toString('utf8')); } catch { /* listed without details */ }
        out.push({ group: parts[0], name: parts[1], version: tag, kind: k, description: meta.description ?? '', visibility: meta.visibility ?? '' });
      }));
    }));
    return out.sort((a, b) => `${a.group}/${a.name}`.localeCompare(`${b.group}/${b.name}`) || compareVersions(a.version, b.version));
  }
}

/** The package's WebAssembly module (a SmartModule or graph-module package carries exactly one). */
export function wasmFileOf(pkg: { meta: { manifest: string[] } }, name: string): string {
  const wasm = pkg.meta.manifest.filter((f) => f.endsWith('.wasm'));
  if (wasm.length !== 1) throw new HubError(`${name} carries ${wasm.length} .wasm files, expected one`);
  return wasm[0];
}

function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.-]/).map((x) => Number(x));
  const pb = b.split(/[.-]/).map((x) => Number(x));
  for (let i = 0; i < 3; i++) if (pa[i] !== pb[i]) return (pa[i] || 0) - (pb[i] || 0);
  return a.localeCompare(b);
}
