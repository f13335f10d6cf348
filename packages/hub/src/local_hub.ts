// A local hub: Eddy's token service plus an unmodified docker-registry that delegates to it,
// both on 127.0.0.1, with their state under `dir` (registry storage, token key and certificate,
// owners/groups/visibility). Used by `eddy hub start` and the tests.
import path from 'node:path';
import { startRegistry, type RunningRegistry } from './registry_process.ts';
import { startTokenService, type RunningTokenService } from './token_service.ts';
import { ensureTokenKey } from './token_key.ts';

export interface LocalHubOptions {
  dir: string;
  /** Without tokens the registry is open to all (no owners, no private packages). */
  tokens?: boolean;
  registryPort?: number;
  tokenPort?: number;
  tokenTtlSeconds?: number;
}

export interface LocalHub {
  registryUrl: string;
  tokenUrl: string | null;
  registry: RunningRegistry;
  stop(): Promise<void>;
}

export const HUB_SERVICE = 'eddy-hub';
export const HUB_ISSUER = 'eddy-hub-token-service';

export async function startLocalHub(o: LocalHubOptions): Promise<LocalHub> {
  let tokens: RunningTokenService | null = null;
  if (o.tokens !== false) {
    const key = ensureTokenKey(path.join(o.dir, 'token'));
    tokens = await startTokenService({
      key, stateFile: path.join(o.dir, 'token', 'state.json'), service: HUB_SERVICE, issuer: HUB_ISSUER,
      ttlSeconds: o.tokenTtlSeconds, port: o.tokenPort,
    });
  }
  let registry: RunningRegistry;
  try {
    registry = await startRegistry({
      storageDir: path.join(o.dir, 'registry'),
      port: o.registryPort,
      ...(tokens ? { auth: { realm: tokens.realm, service: HUB_SERVICE, issuer: HUB_ISSUER, rootcertbundle: ensureTokenKey(path.join(o.dir, 'token')).certFile } } : {}),
    });
  } catch (err) {
    await tokens?.stop();
    throw err;
  }
  return {
    registryUrl: registry.url,
    tokenUrl: tokens?.url ?? null,
    registry,
    stop: async () => {
      await registry.stop();
      await tokens?.stop();
    },
  };
}
