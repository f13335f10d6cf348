import { ParseError } from './parse_error.ts';

/** A whole number within [min, max]; rejects '3x', '1e3', '-1', ' ' with a clear message. */
export function parseInteger(text: string, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const t = text.trim();
  if (!/^-?\d+$/.test(t)) throw new ParseError(`'${text}' is not a whole number`);
  const n = Number(t);
  if (!Number.isSafeInteger(n)) throw new ParseError(`'${text}' is too large`);
  if (n < min) throw new ParseError(`${n} is too small (minimum ${min})`);
  if (n > max) throw new ParseError(`${n} is too large (maximum ${max})`);
  return n;
}
