import { Apis, EDDY_VERSION, ErrorCode } from '@eddy/protocol';
import type { RequestOf, ResponseOf } from '@eddy/protocol';

/** Sent in ApiVersions: the product version. */
export const BROKER_VERSION = EDDY_VERSION;

/** ApiVersions: the broker's version and every api it speaks, with its version range. */
export function apiVersions(_req: RequestOf<'ApiVersions'>): ResponseOf<'ApiVersions'> {
  return {
    errorCode: ErrorCode.None,
    errorMessage: null,
    serverVersion: BROKER_VERSION,
    apis: Object.values(Apis).map((a) => ({ apiKey: a.key, minVersion: a.minVersion, maxVersion: a.maxVersion })),
  };
}
