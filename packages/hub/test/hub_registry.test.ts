// The Hub against a real docker-registry (distribution 2.8) and Eddy's token service.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import {
  HubClient, PackageCache, OciClient, buildPackage, generateSigningKey, ownerAuthorization, registerOwner, setVisibility,
  startLocalHub, parsePackageRef, sha256Digest, OCI_MANIFEST, type LocalHub, type SigningKey,
} from '@eddy/hub';

let dir: string;
let hub: LocalHub;
const alice = generateSigningKey();
const bob = generateSigningKey();
const asUser = (owner: string, key: SigningKey) => () => ownerAuthorization(owner, key);
const client = (owner: string | null, key?: SigningKey) => new HubClient({
  registry: hub.registryUrl,
  credentials: owner === null ? null : asUser(owner, key!),
  cache: new PackageCache(fs.mkdtempSync(path.join(dir, 'cache-'))),
});
// The smallest valid wasm module (magic + version): the Hub checks signatures, not wasm.
const wasm = Buffer.concat([Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0])]);
const meta = (name: string, visibility: 'public' | 'private') => ({
  group: 'acme', name, version: '0.1.0', description: `the ${name} module`, license: 'Apache-2.0', visibility,
});

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eddy-hub-test-'));
  hub = await startLocalHub({ dir: path.join(dir, 'hub') });
  const oci = new OciClient(hub.registryUrl);
  assert.equal(await registerOwner(oci, 'alice', alice), true);
  assert.equal(await registerOwner(oci, 'bob', bob), true);
});

after(async () => {
  await hub?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('publish, list and download; private packages are for owners only; non-owners cannot push', async () => {
  const a = client('alice', alice);
  for (const [name, vis] of [['pub-filter', 'public'], ['secret-filter', 'private']] as const) {
    const pkg = buildPackage('smartmodule', meta(name, vis), [{ name: 'module.wasm', data: wasm }], alice);
    await a.publish(pkg);
    await setVisibility(a.oci, asUser('alice', alice), 'acme', name, vis);
  }
  const mine = await a.list('smartmodule');
  assert.deepEqual(mine.map((p) => `${p.group}/${p.name}@${p.version}`), ['acme/pub-filter@0.1.0', 'acme/secret-filter@0.1.0']);

  for (const other of [client('bob', bob), client(null)]) {
    const seen = await other.list('smartmodule');
    assert.deepEqual(seen.map((p) => p.name), ['pub-filter']);
    const got = await other.fetch(parsePackageRef('acme/pub-filter@0.1.0'), { kind: 'smartmodule' });
    assert.equal(got.signer, alice.publicHex);
    assert.deepEqual(got.files.find((f) => f.name === 'module.wasm')!.data, wasm);
    await assert.rejects(other.fetch(parsePackageRef('acme/secret-filter@0.1.0')), /not allowed|not on the hub/);
  }
  const own = await a.fetch(parsePackageRef('acme/secret-filter@0.1.0'));
  assert.equal(own.meta.visibility, 'private');

  const b = client('bob', bob);
  const theft = buildPackage('smartmodule', { ...meta('pub-filter', 'public'), version: '0.2.0' }, [{ name: 'module.wasm', data: wasm }], bob);
  await assert.rejects(b.publish(theft), /not allowed/);
  await assert.rejects(client(null).publish(theft), /not allowed/);
});

test('a cached package is not fetched again', async () => {
  const a = client('alice', alice);
  const ref = parsePackageRef('acme/pub-filter@0.1.0');
  const first = await a.fetch(ref);
  assert.equal(first.cached, false);
  const ports = { registryPort: hub.registry.port, tokenPort: Number(new URL(hub.tokenUrl!).port) };
  await hub.stop();
  try {
    const second = await a.fetch(ref);
    assert.equal(second.cached, true);
    assert.equal(second.digest, first.digest);
    // Not cached: the registry being down is one line.
    await assert.rejects(a.fetch(parsePackageRef('acme/other@1.0.0')), /^HubError: cannot reach the hub registry at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED/);
  } finally {
    hub = await startLocalHub({ dir: path.join(dir, 'hub'), ...ports });
  }
});

test('a package whose wasm was altered after signing is refused, and nothing is cached', async () => {
  const a = client('alice', alice);
  const pkg = buildPackage('smartmodule', meta('tampered', 'public'), [{ name: 'module.wasm', data: wasm }], alice);
  pkg.files[1] = { name: 'module.wasm', data: Buffer.concat([wasm, Buffer.from([0])]) };
  await a.publish(pkg);
  await setVisibility(a.oci, asUser('alice', alice), 'acme', 'tampered', 'public');
  const fresh = client(null);
  await assert.rejects(fresh.fetch(parsePackageRef('acme/tampered@0.1.0')), /acme\/tampered@0\.1\.0 is refused: module\.wasm does not match its signature/);
  assert.deepEqual(fs.readdirSync(fresh.cache.dir).filter((f) => !f.startsWith('.')), []);
  // Altered in the cache after download: refused on use too.
  const good = await fresh.fetch(parsePackageRef('acme/pub-filter@0.1.0'));
  fs.appendFileSync(path.join(good.dir, 'module.wasm'), 'x');
  await assert.rejects(fresh.fetch(parsePackageRef('acme/pub-filter@0.1.0')), /does not match its signature/);
});

test('unsigned packages are refused unless allowed', async () => {
  const a = client('alice', alice);
  await a.publish(buildPackage('smartmodule', meta('unsigned', 'private'), [{ name: 'module.wasm', data: wasm }], null));
  await assert.rejects(a.fetch(parsePackageRef('acme/unsigned@0.1.0')), /is refused: it is not signed \(use --allow-unsigned/);
  const ok = await a.fetch(parsePackageRef('acme/unsigned@0.1.0'), { allowUnsigned: true });
  assert.equal(ok.signer, null);
});

test('bad input is one line each', async () => {
  const a = client('alice', alice);
  assert.throws(() => parsePackageRef('acme/filter'), /^HubError: 'acme\/filter' is not a package name: expected group\/name@version/);
  assert.throws(() => parsePackageRef('Acme/filter@1.0.0'), /group 'Acme' must use lowercase/);
  assert.throws(() => parsePackageRef('acme/filter@latest'), /version 'latest' is not a semantic version/);
  // A connector asked for as a SmartModule.
  await a.publish(buildPackage('connector', meta('conn', 'private'), [{ name: 'connector.js', data: Buffer.from('x') }], alice));
  await assert.rejects(a.fetch(parsePackageRef('acme/conn@0.1.0'), { kind: 'smartmodule' }), /is a connector package, not a smartmodule/);

  // Raw pushes of broken artifacts (as another tool could make them).
  const repo = 'acme/broken';
  const push = async (tag: string, manifest: object) => a.oci.pushManifest(repo, tag, Buffer.from(JSON.stringify(manifest)), OCI_MANIFEST);
  const blob = async (data: string) => ({ digest: await a.oci.pushBlob(repo, Buffer.from(data)), size: Buffer.byteLength(data) });
  const config = { mediaType: 'application/vnd.eddy.smartmodule.config.v1+json', ...(await blob('{}')) };
  const badMeta = await blob('name: [unclosed');
  await push('1.0.0', { schemaVersion: 2, mediaType: OCI_MANIFEST, config, layers: [{ mediaType: 'application/vnd.eddy.package.meta.v1+yaml', ...badMeta, annotations: { 'org.opencontainers.image.title': 'package-meta.yaml' } }] });
  await assert.rejects(a.fetch(parsePackageRef('acme/broken@1.0.0'), { allowUnsigned: true }), /package-meta\.yaml does not parse/);
  await push('2.0.0', { schemaVersion: 2, mediaType: OCI_MANIFEST, config: { ...config, mediaType: 'application/vnd.oci.image.config.v1+json' }, layers: [] });
  await assert.rejects(a.fetch(parsePackageRef('acme/broken@2.0.0')), /is not an Eddy package: .*\(wrong media type\)/);
  await push('3.0.0', { schemaVersion: 2, mediaType: OCI_MANIFEST, config, layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', ...badMeta, annotations: { 'org.opencontainers.image.title': 'package-meta.yaml' } }] });
  await assert.rejects(a.fetch(parsePackageRef('acme/broken@3.0.0')), /wrong media type/);
  // A blob whose bytes changed in the registry's storage: the digest no longer matches.
  const pkg = buildPackage('smartmodule', meta('rotten', 'private'), [{ name: 'module.wasm', data: Buffer.from('rotten wasm bytes') }], alice);
  await a.publish(pkg);
  const digest = sha256Digest(pkg.files[1].data).slice(7);
  const blobFile = path.join(dir, 'hub', 'registry', 'docker/registry/v2/blobs/sha256', digest.slice(0, 2), digest, 'data');
  fs.writeFileSync(blobFile, 'Rotten wasm bytes');
  await assert.rejects(a.fetch(parsePackageRef('acme/rotten@0.1.0')), /digest mismatch/);
});

test('an expired token is one line', async () => {
  const short = await startLocalHub({ dir: path.join(dir, 'short'), tokenTtlSeconds: -120 });
  try {
    const c = new HubClient({ registry: short.registryUrl, credentials: null, cache: new PackageCache(path.join(dir, 'short-cache')) });
    await assert.rejects(c.list(), /the registry refused the token from .*: it has expired/);
  } finally {
    await short.stop();
  }
});
