import type { Command } from 'commander';
import { EddyError, ErrorCode } from '@eddy/protocol';
import { Eddy, resolveEndpoint as resolveProfileEndpoint } from './client.ts';
import { ClusterUnreachableError, isUnreachable, systemErrorCode } from './errors.ts';

/** --endpoint / --profile, accepted on every command. */
export interface GlobalOptions { endpoint?: string; profile?: string }

export function globalsOf(cmd: Command): GlobalOptions {
  const o = cmd.optsWithGlobals() as GlobalOptions;
  return { endpoint: o.endpoint, profile: o.profile };
}

/** The endpoint the options select (see withClient). */
export async function resolveEndpoint(g: GlobalOptions): Promise<string> {
  return resolveProfileEndpoint({ endpoint: g.endpoint, profile: g.profile });
}

/**
 * Connects to --endpoint, else the --profile's endpoint, else the current profile's, else
 * DEFAULT_ENDPOINT (where `eddy cluster start` listens by default); runs `fn`; always closes.
 * A cluster that cannot be reached becomes the one-line "is it running?" hint.
 */
export async function withClient<T>(g: GlobalOptions, fn: (eddy: Eddy, endpoint: string) => Promise<T>): Promise<T> {
  const endpoint = await resolveEndpoint(g);
  const unreachable = (err: unknown) =>
    isUnreachable(err) || (err instanceof EddyError && err.code === ErrorCode.BrokerUnavailable);
  let eddy: Eddy;
  try {
    eddy = await Eddy.connect({ endpoint });
  } catch (err) {
    if (unreachable(err)) throw new ClusterUnreachableError(endpoint, systemErrorCode(err));
    throw err;
  }
  try {
    return await fn(eddy, endpoint);
  } catch (err) {
    if (unreachable(err)) throw new ClusterUnreachableError(endpoint, systemErrorCode(err));
    throw err;
  } finally {
    await eddy.close().catch(() => {});
  }
}
