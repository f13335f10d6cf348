import { Apis } from '@eddy/protocol';
import type { ApiSpec } from '@eddy/protocol';

/** The version agreed for an API, or why the broker cannot serve it. */
export type Negotiated = { version: number } | { missing: string };

export interface OfferedApi {
  apiKey: number;
  minVersion: number;
  maxVersion: number;
}

/**
 * Matches the broker's ApiVersions answer against the APIs this client speaks (`apis`, the
 * protocol's table unless a test brings its own): the highest version both support, or a
 * one-line reason naming the API and the broker.
 */
export function negotiateVersions(
  offered: readonly OfferedApi[],
  broker: string,
  serverVersion: string,
  apis: Readonly<Record<string, ApiSpec<any, any>>> = Apis,
): Map<number, Negotiated> {
  const byKey = new Map(offered.map((a) => [a.apiKey, a]));
  const out = new Map<number, Negotiated>();
  for (const [name, api] of Object.entries(apis)) {
    const o = byKey.get(api.key);
    if (o === undefined) {
      out.set(api.key, { missing: `broker at ${broker} (version ${serverVersion}) does not support the ${name} API` });
      continue;
    }
    const version = Math.min(o.maxVersion, api.maxVersion);
    if (version < Math.max(o.minVersion, api.minVersion)) {
      out.set(api.key, {
        missing: `broker at ${broker} speaks ${name} versions ${o.minVersion}-${o.maxVersion}, this client ${api.minVersion}-${api.maxVersion}`,
      });
    } else {
      out.set(api.key, { version });
    }
  }
  return out;
}
