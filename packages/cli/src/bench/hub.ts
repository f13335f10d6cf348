// `eddy bench hub`: publishing and installing a module on a local hub (docker-registry + Eddy's
// token service, started by the bench in a temporary directory). Each run publishes a new version
// of random bytes (so the registry holds none of its blobs yet) with a fresh client, as a CLI run
// would, then installs it into an empty cache; a cached install is then timed with the registry's
// requests counted, which must be none.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import {
  HubClient, OciClient, PackageCache, buildPackage, generateSigningKey, ownerAuthorization, registerOwner, startLocalHub,
} from '@eddy/hub';

export interface HubBenchFigures {
  moduleBytes: number;
  runs: number;
  publish: Timing;
  install: Timing;
  cachedInstall: Timing;
  /** HTTP requests the cached installs sent to the registry or token service (all runs together). */
  cachedInstallRequests: number;
}

export interface Timing { medianMs: number; p90Ms: number; minMs: number }

function timing(samples: number[]): Timing {
  const s = [...samples].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return { medianMs: q(0.5), p90Ms: q(0.9), minMs: s[0] };
}

const elapsedMs = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;

/** Counts fetch() calls while `fn` runs (the Hub client's only way out). */
async function countingRequests<T>(fn: () => Promise<T>): Promise<{ value: T; requests: number }> {
  const real = globalThis.fetch;
  let requests = 0;
  globalThis.fetch = ((...args: Parameters<typeof fetch>) => { requests++; return real(...args); }) as typeof fetch;
  try {
    return { value: await fn(), requests };
  } finally {
    globalThis.fetch = real;
  }
}

export async function measureHub(o: { runs: number; moduleBytes: number }): Promise<HubBenchFigures> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eddy-bench-hub-'));
  const hub = await startLocalHub({ dir: path.join(dir, 'hub') });
  try {
    const key = generateSigningKey();
    await registerOwner(new OciClient(hub.registryUrl), 'bench', key);
    const credentials = () => ownerAuthorization('bench', key);
    const publish: number[] = [];
    const install: number[] = [];
    const cached: number[] = [];
    let cachedRequests = 0;
    // Run 0 is an untimed warm-up (first token, first repository, module loading).
    for (let i = 0; i <= o.runs; i++) {
      const wasm = crypto.randomBytes(o.moduleBytes);
      const meta = { group: 'bench', name: 'module', version: `0.0.${i}`, description: 'bench module', license: 'Apache-2.0', visibility: 'private' as const };
      let t0 = process.hrtime.bigint();
      const pkg = buildPackage('graph-module', meta, [{ name: 'module.wasm', data: wasm }], key);
      await new HubClient({ registry: hub.registryUrl, credentials, cache: new PackageCache(path.join(dir, 'unused')) }).publish(pkg);
      const published = elapsedMs(t0);

      const cache = new PackageCache(path.join(dir, `cache-${i}`));
      const ref = { group: 'bench', name: 'module', version: meta.version };
      t0 = process.hrtime.bigint();
      const got = await new HubClient({ registry: hub.registryUrl, credentials, cache }).fetch(ref, { kind: 'graph-module' });
      const installed = elapsedMs(t0);
      if (got.cached || !got.files.some((f) => f.name === 'module.wasm' && Buffer.compare(f.data, wasm) === 0)) throw new Error(`run ${i}: the installed module differs from the published one`);

      t0 = process.hrtime.bigint();
      const again = await countingRequests(() => new HubClient({ registry: hub.registryUrl, credentials, cache }).fetch(ref, { kind: 'graph-module' }));
      const cachedMs = elapsedMs(t0);
      if (!again.value.cached) throw new Error(`run ${i}: the second install was not served from the cache`);
      fs.rmSync(path.join(dir, `cache-${i}`), { recursive: true, force: true });
      if (i === 0) continue;
      publish.push(published);
      install.push(installed);
      cached.push(cachedMs);
      cachedRequests += again.requests;
    }
    return {
      moduleBytes: o.moduleBytes, runs: o.runs,
      publish: timing(publish), install: timing(install), cachedInstall: timing(cached), cachedInstallRequests: cachedRequests,
    };
  } finally {
    await hub.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export function formatHub(f: HubBenchFigures): string {
  const row = (name: string, t: Timing, extra = '') => `${name.padEnd(16)}${t.medianMs.toFixed(1).padStart(9)}${t.p90Ms.toFixed(1).padStart(9)}${t.minMs.toFixed(1).padStart(9)}${extra}`;
  return [
    `${'STEP'.padEnd(16)}${'MEDIAN'.padStart(9)}${'P90'.padStart(9)}${'MIN'.padStart(9)}   (ms, ${f.runs} runs, ${(f.moduleBytes / 1024).toFixed(0)} KiB module, local docker-registry with token auth)`,
    row('publish', f.publish),
    row('install', f.install),
    row('cached install', f.cachedInstall, `   ${f.cachedInstallRequests} requests to the hub`),
  ].join('\n');
}

/** Adds `eddy bench hub` under `bench`. */
export function registerHubBench(bench: Command): void {
  bench.command('hub')
    .description('publish and install a module on a local hub (docker-registry); a cached install must not reach the hub')
    .option('--runs <n>', 'publish/install rounds (after one warm-up)', '10')
    .option('--module-size <bytes>', 'module size in bytes', String(1024 * 1024))
    .option('-O, --output <format>', 'report format: table or json', 'table')
    .action(async (o: { runs: string; moduleSize: string; output: string }) => {
      const runs = Number(o.runs);
      const moduleBytes = Number(o.moduleSize);
      if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a positive integer, not '${o.runs}'`);
      if (!Number.isInteger(moduleBytes) || moduleBytes < 1) throw new Error(`--module-size must be a positive integer, not '${o.moduleSize}'`);
      const figures = await measureHub({ runs, moduleBytes });
      process.stdout.write((o.output === 'json' ? JSON.stringify(figures, null, 2) : formatHub(figures)) + '\n');
    });
}
