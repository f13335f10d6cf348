// `cdk publish` against a real docker-registry and Eddy's token service: a generated connector
// project is packed, signed and pushed; a public one asks first; anyone can then fetch and
// verify it, and a tampered pack is refused before upload.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import {
  HubClient, OciClient, PackageCache, generateSigningKey, hubPaths, parsePackageRef, registerOwner, startLocalHub,
  writeHubConfig, writeSigningKey, type LocalHub,
} from '@eddy/hub';
import { main } from '../src/mod.ts';

let dir: string;
let hub: LocalHub;
const saved = { home: process.env.EDDY_HOME, hub: process.env.EDDY_HUB };

async function cdk(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(args, (t) => { out += t; }, (t) => { err += t; });
  return { code, out, err };
}

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eddy-cdk-publish-'));
  hub = await startLocalHub({ dir: path.join(dir, 'hub') });
  process.env.EDDY_HOME = path.join(dir, 'home');
  process.env.EDDY_HUB = hub.registryUrl;
});

after(async () => {
  for (const [k, v] of [['EDDY_HOME', saved.home], ['EDDY_HUB', saved.hub]] as const) {
    if (v === undefined) delete process.env[k]; else process.env[k] = v;
  }
  await hub?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('publish a generated connector: login needed, public asks, --pack then --push, anyone fetches it verified', async () => {
  assert.equal((await cdk('generate', 'demo-source', '--dir', dir)).code, 0);
  const project = path.join(dir, 'demo-source');
  const early = await cdk('publish', '--dir', project, '--group', 'acme');
  assert.deepEqual([early.code, early.err], [2, `cdk: no Hub key at ${hubPaths().key}: run 'eddy hub login' first\n`]);

  // What `eddy hub login --owner alice` does.
  const key = generateSigningKey();
  writeSigningKey(hubPaths().key, key);
  await registerOwner(new OciClient(hub.registryUrl), 'alice', key);
  writeHubConfig({ owner: 'alice', registry: hub.registryUrl });

  const noGroup = await cdk('publish', '--dir', project);
  assert.match(noGroup.err, /^cdk: .*package\.json names no hub group: give --group/);
  const pkgFile = path.join(project, 'package.json');
  const json = JSON.parse(fs.readFileSync(pkgFile, 'utf8'));
  fs.writeFileSync(pkgFile, JSON.stringify({ ...json, eddy: { group: 'acme', visibility: 'public' } }, null, 2));
  const asks = await cdk('publish', '--dir', project);
  assert.deepEqual([asks.code, asks.err], [2, `cdk: acme/demo-source@${json.version} is public: anyone will be able to download it; confirm with --public-yes\n`]);

  const pack = await cdk('publish', '--pack', '--dir', project);
  assert.equal(pack.code, 0, pack.err);
  const packDir = path.join(project, '.hub', `demo-source-${json.version}`);
  assert.deepEqual(fs.readdirSync(packDir).sort(), ['connector.tgz', 'package-meta.yaml', 'package.json', 'signature.0']);

  // A pack altered after signing is refused before anything is uploaded.
  const tgz = fs.readFileSync(path.join(packDir, 'connector.tgz'));
  fs.writeFileSync(path.join(packDir, 'connector.tgz'), Buffer.concat([tgz, Buffer.from([0])]));
  const tampered = await cdk('publish', '--push', '--public-yes', '--dir', project);
  assert.match(tampered.err, /^cdk: acme\/demo-source@.* is refused: connector\.tgz does not match its signature/);
  fs.writeFileSync(path.join(packDir, 'connector.tgz'), tgz);

  const push = await cdk('publish', '--push', '--public-yes', '--dir', project);
  assert.equal(push.code, 0, push.err);
  assert.match(push.out, /^published acme\/demo-source@\S+ \(public\) to http:\/\/127\.0\.0\.1:\d+ as sha256:[0-9a-f]{64}\n$/);

  const anon = new HubClient({ registry: hub.registryUrl, credentials: null, cache: new PackageCache(path.join(dir, 'anon-cache')) });
  assert.deepEqual((await anon.list('connector')).map((p) => `${p.group}/${p.name}`), ['acme/demo-source']);
  const got = await anon.fetch(parsePackageRef(`acme/demo-source@${json.version}`), { kind: 'connector' });
  assert.equal(got.signer, key.publicHex);
  // An npm tarball (gzip).
  assert.deepEqual([...got.files.find((f) => f.name === 'connector.tgz')!.data.subarray(0, 2)], [0x1f, 0x8b]);
});
