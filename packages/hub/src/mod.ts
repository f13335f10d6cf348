// @eddy/hub: Hub packages (Fluvio's package-meta.yaml and signatures) as OCI artifacts on any
// OCI registry, the client the CLI and smdk use, and the token service a registry delegates to.
export { HubError } from './hub_error.ts';
export * from './media_types.ts';
export { parsePackageRef, formatPackageRef, isPackageRef, repositoryOf, partProblem, versionProblem, type PackageRef } from './package_ref.ts';
export { parsePackageMeta, formatPackageMeta, PACKAGE_META_FILE, PACKAGE_FORMAT_VERSION, type PackageMeta, type Visibility } from './package_meta.ts';
export { generateSigningKey, readSigningKey, writeSigningKey, type SigningKey } from './signing_key.ts';
export { signFiles, verifyFiles, type PackageFile, type PackageSignature } from './package_signature.ts';
export { OciClient, sha256Digest, normalizeRegistryUrl, type Credentials } from './oci_client.ts';
export { buildPackage, pushPackage, pullPackage, verifyPackage, type HubPackage, type VerifiedPackage } from './hub_package.ts';
export { PackageCache } from './package_cache.ts';
export { HubClient, wasmFileOf, type ListedPackage } from './hub_client.ts';
export { hubHome, hubPaths, readHubConfig, writeHubConfig, resolveRegistry, type HubConfig } from './hub_home.ts';
export { ownerAuthorization, savedCredentials } from './owner_proof.ts';
export { startRegistry, freePort, type RunningRegistry, type TokenAuthConfig } from './registry_process.ts';
export { startTokenService, type RunningTokenService, type TokenServiceState } from './token_service.ts';
export { ensureTokenKey, libtrustKeyId } from './token_key.ts';
export { startLocalHub, type LocalHub, type LocalHubOptions } from './local_hub.ts';
export { registerOwner, setVisibility } from './hub_account.ts';
export { hubRefOfModuleReference, type ModuleReference } from './module_reference.ts';
