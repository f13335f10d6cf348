import { apiKeyName } from '@eddy/protocol';

const NAMES = new Map<number, string>();

/** An api key's name, cached: it labels a metric per request. */
export function apiName(key: number): string {
  let n = NAMES.get(key);
  if (n === undefined) { n = apiKeyName(key); NAMES.set(key, n); }
  return n;
}
