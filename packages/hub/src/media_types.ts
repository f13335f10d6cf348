// The OCI media and artifact types of an Eddy package (docs/hub.md is the spec).

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

/** What a package holds; each kind is its own artifact type. A `graph` package carries a graph definition (YAML). */
export const PACKAGE_KINDS = ['smartmodule', 'connector', 'graph-module', 'graph'] as const;
export type PackageKind = (typeof PACKAGE_KINDS)[number];

export function artifactType(kind: PackageKind): string {
  return `application/vnd.eddy.${kind}.v1`;
}

/** The config blob (package-meta as JSON); registries without `artifactType` (distribution 2.8) still show the kind through it. */
export function configMediaType(kind: PackageKind): string {
  return `application/vnd.eddy.${kind}.config.v1+json`;
}

export function kindOfArtifact(manifestArtifactType: string | undefined, configType: string | undefined): PackageKind | null {
  for (const k of PACKAGE_KINDS) {
    if (manifestArtifactType === artifactType(k) || configType === configMediaType(k)) return k;
  }
  return null;
}

export const META_LAYER = 'application/vnd.eddy.package.meta.v1+yaml';
export const SIGNATURE_LAYER = 'application/vnd.eddy.package.signature.v1+json';
/** The WebAssembly layer type other wasm-on-OCI tools use, so they recognise the module. */
export const WASM_LAYER = 'application/vnd.wasm.content.layer.v1+wasm';
export const FILE_LAYER = 'application/vnd.eddy.package.file.v1';

/** The annotation naming a layer's file (oras uses it too, so `oras pull` writes the files by name). */
export const TITLE_ANNOTATION = 'org.opencontainers.image.title';

export function layerMediaType(fileName: string): string {
  if (fileName === 'package-meta.yaml') return META_LAYER;
  if (/^signature\.\d+$/.test(fileName)) return SIGNATURE_LAYER;
  if (fileName.endsWith('.wasm')) return WASM_LAYER;
  return FILE_LAYER;
}

export const KNOWN_LAYERS = new Set([META_LAYER, SIGNATURE_LAYER, WASM_LAYER, FILE_LAYER]);
