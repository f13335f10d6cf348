import { PermanentError } from '@eddy/connector';
import { parseHumanDuration } from '@eddy/client/internal';

/** Options both HTTP connectors share, in Fluvio's names. */
export interface HttpRequestOptions {
  endpoint: string;
  method: string;
  headers: string[];
  body?: string;
  'user-agent': string;
}

export const USER_AGENT = 'eddy/http-connector 0.1.0';

export const HEADERS_SCHEMA = {
  type: 'array',
  items: { type: 'string', pattern: '^[^:=]+[:=]' },
  default: [],
  description: "Request headers as 'Name: value' strings (Fluvio also accepts 'Name=value')",
} as const;

/**
 * `['Name: value', …]` as a Headers object. Fluvio's README writes 'Name: value' and its code
 * comment 'Name=value': the first ':' wins, else the first '='.
 */
export function parseHeaders(list: readonly string[], userAgent: string, path: string): Headers {
  const h = new Headers();
  h.set('user-agent', userAgent);
  list.forEach((line, i) => {
    let at = line.indexOf(':');
    if (at < 0) at = line.indexOf('=');
    const name = at < 0 ? '' : line.slice(0, at).trim();
    if (name === '') throw new PermanentError(`${path}[${i}]: must be 'Name: value'`);
    try {
      h.set(name, line.slice(at + 1).trim());
    } catch {
      throw new PermanentError(`${path}[${i}]: '${name}' is not a valid header name`);
    }
  });
  return h;
}

/** A duration option: humantime text ('10s', '150ms') or milliseconds (bad values are permanent: retrying cannot fix a config). */
export function durationMs(v: string | number, path: string): number {
  if (typeof v === 'number') return v;
  try {
    return parseHumanDuration(v);
  } catch (err) {
    throw new PermanentError(`${path}: ${(err as Error).message}`);
  }
}
