import { ConfigError } from './errors.ts';

const UNITS: Record<string, number> = {
  b: 1, '': 1,
  kb: 1000, mb: 1000 ** 2, gb: 1000 ** 3,
  kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3,
  k: 1024, m: 1024 ** 2, g: 1024 ** 3,
};

/**
 * A byte size as Fluvio's configs write it ('16KB', '1 MiB', '2.5MB', 4096) in bytes.
 * `path` names the YAML path in the error.
 */
export function parseByteSize(v: unknown, path: string): number {
  if (typeof v === 'number') {
    if (Number.isSafeInteger(v) && v >= 0) return v;
    throw new ConfigError(path, `must be a non-negative whole number of bytes, got ${v}`);
  }
  if (typeof v !== 'string') throw new ConfigError(path, `must be a size such as '16KB' or '1MiB', got ${typeof v}`);
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(v);
  const unit = m === null ? undefined : UNITS[m[2].toLowerCase()];
  if (m === null || unit === undefined) throw new ConfigError(path, `must be a size such as '16KB' or '1MiB', got '${v}'`);
  return Math.floor(Number(m[1]) * unit);
}
