import { InvalidArgumentError, Option } from 'commander';
import { ParseError } from '../parse/parse_error.ts';
import { parseInteger } from '../parse/number.ts';
import { parseSize } from '../parse/size.ts';
import { parseDuration } from '../parse/duration.ts';
import type { DurationOptions } from '../parse/duration.ts';
import { OUTPUT_FORMATS } from '../format/output.ts';

/** Turns a parser's ParseError into commander's "argument 'x' is invalid. <why>" error. */
function argParser<T>(parse: (text: string) => T): (text: string) => T {
  return (text) => {
    try {
      return parse(text);
    } catch (err) {
      if (err instanceof ParseError) throw new InvalidArgumentError(err.message);
      throw err;
    }
  };
}

export const intArg = (min = 0, max = Number.MAX_SAFE_INTEGER) => argParser((t) => parseInteger(t, min, max));
export const sizeArg = (max = Number.MAX_SAFE_INTEGER, min = 0) => argParser((t) => {
  const n = parseSize(t);
  if (n > max) throw new ParseError(`${t} is too large (maximum ${max} bytes)`);
  if (n < min) throw new ParseError(`${t} is too small (minimum ${min} byte${min === 1 ? '' : 's'})`);
  return n;
});
export const durationArg = (options?: DurationOptions) => argParser((t) => parseDuration(t, options));
/** A duration that must be longer than zero (0 would otherwise read as "the default" on the wire). */
export const positiveDurationArg = (options?: DurationOptions) => argParser((t) => {
  const ms = parseDuration(t, options);
  if (ms <= 0) throw new ParseError(`${t} must be longer than zero`);
  return ms;
});

/** Repeatable integer option: -p 0 -p 2 -> [0, 2]. */
export const intListArg = (min = 0, max = Number.MAX_SAFE_INTEGER) => {
  const one = intArg(min, max);
  return (text: string, previous: number[] | undefined): number[] => [...(previous ?? []), one(text)];
};

/** -O/--output table|json|yaml for list and describe commands. */
export function outputOption(): Option {
  return new Option('-O, --output <type>', 'output format').choices(OUTPUT_FORMATS).default('table');
}
