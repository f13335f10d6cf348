import type { Command } from 'commander';
import { Eddy, currentProfile, listProfiles } from './client.ts';
import { CliError, ClusterUnreachableError, isUnreachable } from './errors.ts';
import { DEFAULT_ENDPOINT } from './home.ts';
import { parseEndpoint, formatEndpoint } from './endpoint.ts';

/** --endpoint / --profile, accepted on every command. */
export interface GlobalOptions { endpoint?: string; profile?: string }

export function globalsOf(cmd: Command): GlobalOptions {
  const o = cmd.optsWithGlobals() as GlobalOptions;
  return { endpoint: o.endpoint, profile: o.profile };
}

/**
 * The endpoint a command talks to: --endpoint, else the --profile's, else the current
 * profile's, else 127.0.0.1:9003 (where `eddy cluster start` listens by default).
 */
export async function resolveEndpoint(g: GlobalOptions): Promise<string> {
  if (g.endpoint) return formatEndpoint(parseEndpoint(g.endpoint));
  if (g.profile) {
    const profiles = await listProfiles();
    const p = profiles.find((x) => x.name === g.profile);
    if (!p) throw new CliError(`unknown profile '${g.profile}' (see 'eddy profile list')`);
    return p.endpoint;
  }
  const current = await currentProfile();
  return current?.endpoint ?? DEFAULT_ENDPOINT;
}

/** Connects, runs `fn`, always closes; connection failures become the one-line hint. */
export async function withClient<T>(g: GlobalOptions, fn: (eddy: Eddy, endpoint: string) => Promise<T>): Promise<T> {
  const endpoint = await resolveEndpoint(g);
  let eddy: Eddy;
  try {
    eddy = await Eddy.connect({ endpoint });
  } catch (err) {
    if (isUnreachable(err)) throw new ClusterUnreachableError(endpoint);
    throw err;
  }
  try {
    return await fn(eddy, endpoint);
  } catch (err) {
    if (isUnreachable(err)) throw new ClusterUnreachableError(endpoint);
    throw err;
  } finally {
    await eddy.close().catch(() => {});
  }
}
