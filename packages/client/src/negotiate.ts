import { Apis } from '@eddy/protocol';
import type { ApiName, ApiSpec } from '@eddy/protocol';

/** The version agreed for an API, or why the broker cannot serve it. */
export type Negotiated = { version: number } | { missing: string };

export interface OfferedApi {
  apiKey: number;
  minVersion: number;
  maxVersion: number;
}

/**
 * Matches the broker's ApiVersions answer against the APIs this client speaks: the highest
 * version both support, or a one-line reason naming the API and the broker.
 */
export function negotiateVersions(offered: readonly OfferedApi[], broker: string, serverVersion: string): Map<number, Negotiated> {
  const byKey = new Map(offered.map((a) => [a.apiKey, a]));
  const out = new Map<number, Negotiated>();
  for (const [name, api] of Object.entries(Apis) as [ApiName, ApiSpec<any, any>][]) {
    const o = byKey.get(api.key);
    if (o === undefined) {
      out.set(api.key, { missing: `broker at ${broker} (version ${serverVersion}) does not support the ${name} API` });
    } else if (o.maxVersion < api.minVersion || o.minVersion > api.maxVersion) {
      out.set(api.key, {
        missing: `broker at ${broker} speaks ${name} versions ${o.minVersion}-${o.maxVersion}, this client ${api.minVersion}-${api.maxVersion}`,
      });
    } else {
      out.set(api.key, { version: Math.min(o.maxVersion, api.maxVersion) });
    }
  }
  return out;
}
