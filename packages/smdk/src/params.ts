// `-e key=value` parameters, as Fluvio's CLIs take them.
import { SmdkError } from './errors.ts';

/** Splits at the first '=' (values may contain '='); an empty key is an error. */
export function parseParam(text: string): [string, string] {
  const eq = text.indexOf('=');
  if (eq < 0) throw new SmdkError(`invalid parameter '${text}': expected key=value`);
  const key = text.slice(0, eq);
  if (key === '') throw new SmdkError(`invalid parameter '${text}': the key before '=' is empty`);
  return [key, text.slice(eq + 1)];
}

/** Collects repeated `-e` values; a later value for the same key wins. */
export function paramsRecord(list: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of list) {
    const [k, v] = parseParam(item);
    out[k] = v;
  }
  return out;
}

/** Commander collector for repeatable options. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
