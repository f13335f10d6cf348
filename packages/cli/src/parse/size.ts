import { ParseError } from './parse_error.ts';

// Byte sizes as Fluvio's CLI takes them (the bytesize crate): decimal KB/MB/GB/TB (1000^n) and
// binary KiB/MiB/GiB/TiB (1024^n), case-insensitive, optional space, a bare number is bytes.
const UNIT_BYTES: Record<string, number> = {
  '': 1, b: 1,
  k: 1e3, kb: 1e3, m: 1e6, mb: 1e6, g: 1e9, gb: 1e9, t: 1e12, tb: 1e12,
  ki: 1024, kib: 1024, mi: 1024 ** 2, mib: 1024 ** 2, gi: 1024 ** 3, gib: 1024 ** 3, ti: 1024 ** 4, tib: 1024 ** 4,
};

const SIZE = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/;
const EXAMPLES = "e.g. '1048576', '512KiB', '10MB', '1GB'";

/** Parses a byte size into a whole number of bytes (rounded). Throws ParseError. */
export function parseSize(text: string): number {
  const m = SIZE.exec(text.trim().toLowerCase());
  if (!m) throw new ParseError(`invalid size '${text}' (${EXAMPLES})`);
  const factor = UNIT_BYTES[m[2]];
  if (factor === undefined) {
    throw new ParseError(`unknown unit '${m[2]}' in size '${text}' (use B, KB, MB, GB, TB, KiB, MiB, GiB or TiB)`);
  }
  const bytes = Math.round(Number(m[1]) * factor);
  if (!Number.isSafeInteger(bytes)) throw new ParseError(`size '${text}' is too large`);
  return bytes;
}

/** A short human rendering for tables: 1073741824 -> '1 GiB', 1000000 -> '1 MB', 1500 -> '1500 B'. */
export function formatSize(bytes: number): string {
  if (bytes < 0) return 'unlimited';
  for (const [unit, size] of [['TiB', 1024 ** 4], ['GiB', 1024 ** 3], ['MiB', 1024 ** 2], ['KiB', 1024], ['TB', 1e12], ['GB', 1e9], ['MB', 1e6], ['KB', 1e3]] as const) {
    if (bytes >= size && bytes % size === 0) return `${bytes / size} ${unit}`;
  }
  if (bytes >= 1024 ** 2) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${bytes} B`;
}
