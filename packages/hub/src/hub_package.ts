// A Hub package as an OCI artifact: an image manifest whose config blob is the package
// metadata (JSON) and whose layers are the files (package-meta.yaml, the manifest's files and
// signature.N), each named by the title annotation. Pulling checks every digest, the media
// types, package-meta.yaml and the signature before anything is returned.
import { HubError } from './hub_error.ts';
import {
  OCI_MANIFEST, artifactType, configMediaType, kindOfArtifact, layerMediaType, KNOWN_LAYERS,
  TITLE_ANNOTATION, SIGNATURE_LAYER, type PackageKind,
} from './media_types.ts';
import { type OciClient } from './oci_client.ts';
import { PACKAGE_META_FILE, PACKAGE_FORMAT_VERSION, formatPackageMeta, parsePackageMeta, type PackageMeta } from './package_meta.ts';
import { formatPackageRef, repositoryOf, type PackageRef } from './package_ref.ts';
import { parseSignature, signFiles, signatureFileName, verifyFiles, type PackageFile } from './package_signature.ts';
import type { SigningKey } from './signing_key.ts';

export interface HubPackage {
  kind: PackageKind;
  meta: PackageMeta;
  /** package-meta.yaml first, then the manifest's files, then signature.N. */
  files: PackageFile[];
}

export interface VerifiedPackage extends HubPackage {
  /** The manifest's digest: the package's identity in the cache. */
  digest: string;
  /** The signer's Ed25519 public key (hex); null for an unsigned package allowed with allowUnsigned. */
  signer: string | null;
}

interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
}

interface ImageManifest {
  schemaVersion: number;
  mediaType?: string;
  artifactType?: string;
  config: Descriptor;
  layers: Descriptor[];
  annotations?: Record<string, string>;
}

/** Makes a signed package of `files` (the manifest's files) described by `meta`. */
export function buildPackage(kind: PackageKind, meta: Omit<PackageMeta, 'manifest' | 'package_format_version'>, files: readonly PackageFile[], key: SigningKey | null): HubPackage {
  const full: PackageMeta = { package_format_version: PACKAGE_FORMAT_VERSION, ...meta, manifest: files.map((f) => f.name) };
  // Round-trip through the checker so a bad name or version fails before anything is uploaded.
  const metaText = formatPackageMeta(full);
  parsePackageMeta(metaText);
  const signed: PackageFile[] = [{ name: PACKAGE_META_FILE, data: Buffer.from(metaText) }, ...files];
  if (key === null) return { kind, meta: full, files: signed };
  const sig = signFiles(signed, key);
  return { kind, meta: full, files: [...signed, { name: signatureFileName(0), data: Buffer.from(JSON.stringify(sig)) }] };
}

export async function pushPackage(client: OciClient, pkg: HubPackage): Promise<{ ref: PackageRef; digest: string }> {
  const repo = repositoryOf(pkg.meta);
  const config = Buffer.from(JSON.stringify(pkg.meta));
  const [configDigest, ...layerDigests] = await Promise.all([
    client.pushBlob(repo, config),
    ...pkg.files.map((f) => client.pushBlob(repo, f.data)),
  ]);
  const manifest: ImageManifest = {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    artifactType: artifactType(pkg.kind),
    config: { mediaType: configMediaType(pkg.kind), digest: configDigest, size: config.length },
    layers: pkg.files.map((f, i) => ({
      mediaType: layerMediaType(f.name), digest: layerDigests[i], size: f.data.length,
      annotations: { [TITLE_ANNOTATION]: f.name },
    })),
    annotations: {
      'org.opencontainers.image.title': `${pkg.meta.group}/${pkg.meta.name}`,
      'org.opencontainers.image.version': pkg.meta.version,
      'org.opencontainers.image.description': pkg.meta.description,
    },
  };
  const digest = await client.pushManifest(repo, pkg.meta.version, Buffer.from(JSON.stringify(manifest)), OCI_MANIFEST);
  return { ref: { group: pkg.meta.group, name: pkg.meta.name, version: pkg.meta.version }, digest };
}

export interface PullOptions {
  /** The kind the caller wants; another kind is refused. */
  kind?: PackageKind;
  allowUnsigned?: boolean;
}

/** Fetches and verifies `ref`; throws one line on anything wrong. */
export async function pullPackage(client: OciClient, ref: PackageRef, o: PullOptions = {}): Promise<VerifiedPackage> {
  const repo = repositoryOf(ref);
  const name = formatPackageRef(ref);
  const got = await client.getManifest(repo, ref.version, [OCI_MANIFEST]);
  if (got === null) throw new HubError(`${name} is not on the hub at ${client.url} (or you may not read it)`);
  const manifest = parseImageManifest(got.bytes, got.mediaType, name);
  const kind = kindOfArtifact(manifest.artifactType, manifest.config.mediaType);
  if (kind === null) throw new HubError(`${name} is not an Eddy package: artifact type ${manifest.artifactType ?? manifest.config.mediaType} (wrong media type)`);
  if (o.kind !== undefined && kind !== o.kind) throw new HubError(`${name} is a ${kind} package, not a ${o.kind}`);
  const titles = new Set<string>();
  for (const l of manifest.layers) {
    if (!KNOWN_LAYERS.has(l.mediaType)) throw new HubError(`${name}: layer ${l.digest} has media type ${l.mediaType}, which an Eddy package does not use (wrong media type)`);
    const title = l.annotations?.[TITLE_ANNOTATION];
    if (!title || titles.has(title)) throw new HubError(`${name}: layer ${l.digest} has ${title ? 'a duplicate' : 'no'} file name annotation`);
    if (layerMediaType(title) !== l.mediaType) throw new HubError(`${name}: ${title} has media type ${l.mediaType}, expected ${layerMediaType(title)} (wrong media type)`);
    titles.add(title);
  }
  const blobs = await Promise.all(manifest.layers.map((l) => client.getBlob(repo, l.digest, l.size)));
  const files = manifest.layers.map((l, i) => ({ name: l.annotations![TITLE_ANNOTATION], data: blobs[i] }));
  const pkg = verifyPackage(name, kind, files, o.allowUnsigned === true);
  if (pkg.meta.group !== ref.group || pkg.meta.name !== ref.name || pkg.meta.version !== ref.version) {
    throw new HubError(`${name} is refused: its package-meta.yaml says ${formatPackageRef(pkg.meta)}`);
  }
  return { ...pkg, digest: got.digest };
}

/** Checks package-meta.yaml and the signature over `files`; used on pull and on every cache read. */
export function verifyPackage(name: string, kind: PackageKind, files: PackageFile[], allowUnsigned: boolean): Omit<VerifiedPackage, 'digest'> {
  const metaFile = files.find((f) => f.name === PACKAGE_META_FILE);
  if (!metaFile) throw new HubError(`${name} has no ${PACKAGE_META_FILE}`);
  const meta = parsePackageMeta(Buffer.from(metaFile.data).toString('utf8'), `${name}'s ${PACKAGE_META_FILE}`);
  const content = files.filter((f) => layerMediaType(f.name) !== SIGNATURE_LAYER);
  const listed = new Set([PACKAGE_META_FILE, ...meta.manifest]);
  for (const f of content) if (!listed.has(f.name)) throw new HubError(`${name} is refused: ${f.name} is not in its manifest`);
  for (const f of meta.manifest) if (!content.some((c) => c.name === f)) throw new HubError(`${name} is refused: ${f} is missing`);
  const sigs = files.filter((f) => layerMediaType(f.name) === SIGNATURE_LAYER);
  let signer: string | null = null;
  if (sigs.length === 0) {
    if (!allowUnsigned) throw new HubError(`${name} is refused: it is not signed (use --allow-unsigned for local work)`);
  } else {
    // signature.0 signs the content; later ones (Fluvio's co-signatures) also sign the earlier signatures.
    sigs.sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }));
    for (let i = 0; i < sigs.length; i++) {
      const sig = parseSignature(sigs[i].data, `${name}'s ${sigs[i].name}`);
      const covered = [...content, ...sigs.slice(0, i)];
      const key = verifyFiles(name, covered, sig);
      if (i === 0) signer = key;
    }
  }
  return { kind, meta, files, signer };
}

function parseImageManifest(bytes: Buffer, contentType: string, name: string): ImageManifest {
  let doc: unknown;
  try {
    doc = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new HubError(`${name}: the registry's manifest does not parse as JSON`);
  }
  const m = doc as ImageManifest;
  const type = m?.mediaType ?? contentType;
  if (type !== OCI_MANIFEST) throw new HubError(`${name}: manifest media type is ${type || 'missing'}, expected ${OCI_MANIFEST} (wrong media type)`);
  const isDescriptor = (d: unknown): d is Descriptor => d !== null && typeof d === 'object'
    && typeof (d as Descriptor).mediaType === 'string' && typeof (d as Descriptor).digest === 'string' && /^sha256:[0-9a-f]{64}$/.test((d as Descriptor).digest)
    && typeof (d as Descriptor).size === 'number';
  if (m.schemaVersion !== 2 || !isDescriptor(m.config) || !Array.isArray(m.layers) || !m.layers.every(isDescriptor)) {
    throw new HubError(`${name}: the registry's manifest is not an OCI image manifest`);
  }
  return m;
}
