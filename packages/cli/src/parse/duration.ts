import { ParseError } from './parse_error.ts';

// Human durations in the style of Rust's humantime (what Fluvio's CLI accepts): one or more
// `<number><unit>` terms, optionally separated by spaces: '7d', '1h 30m', '150ms', '2 days'.
const UNIT_MS: Record<string, number> = {
  ms: 1, msec: 1, msecs: 1, millisecond: 1, milliseconds: 1,
  s: 1000, sec: 1000, secs: 1000, second: 1000, seconds: 1000,
  m: 60_000, min: 60_000, mins: 60_000, minute: 60_000, minutes: 60_000,
  h: 3_600_000, hr: 3_600_000, hrs: 3_600_000, hour: 3_600_000, hours: 3_600_000,
  d: 86_400_000, day: 86_400_000, days: 86_400_000,
  w: 604_800_000, week: 604_800_000, weeks: 604_800_000,
};

const TERM = /\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*/gy;
const EXAMPLES = "e.g. '150ms', '30s', '1h 30m', '7d'";

export interface DurationOptions {
  /** Unit for a bare number ('ms' for --linger); without it a bare number is an error. */
  bareUnit?: 'ms' | 's';
}

/** Parses a human duration into whole milliseconds (rounded). Throws ParseError. */
export function parseDuration(text: string, options: DurationOptions = {}): number {
  const input = text.trim().toLowerCase();
  if (input === '') throw new ParseError(`empty duration (${EXAMPLES})`);
  if (/^\d+(\.\d+)?$/.test(input)) {
    if (!options.bareUnit) throw new ParseError(`duration '${text}' needs a unit (${EXAMPLES})`);
    return checked(text, Number(input) * UNIT_MS[options.bareUnit]);
  }
  let total = 0;
  let pos = 0;
  TERM.lastIndex = 0;
  while (pos < input.length) {
    TERM.lastIndex = pos;
    const m = TERM.exec(input);
    if (!m || m[0].length === 0) throw new ParseError(`invalid duration '${text}' (${EXAMPLES})`);
    const unit = m[2];
    if (unit === '') throw new ParseError(`duration '${text}' needs a unit after ${m[1]} (${EXAMPLES})`);
    const factor = UNIT_MS[unit];
    if (factor === undefined) {
      throw new ParseError(`unknown unit '${unit}' in duration '${text}' (use ms, s, m, h, d or w)`);
    }
    total += Number(m[1]) * factor;
    pos = TERM.lastIndex;
  }
  return checked(text, total);
}

function checked(text: string, ms: number): number {
  const rounded = Math.round(ms);
  if (!Number.isSafeInteger(rounded)) throw new ParseError(`duration '${text}' is too large`);
  return rounded;
}

/** The shortest exact rendering in the largest units: 90061000 -> '1d 1h 1m 1s'. 0 -> '0s'. */
export function formatDuration(ms: number): string {
  if (ms < 0) return 'unlimited';
  if (ms === 0) return '0s';
  const parts: string[] = [];
  let rest = ms;
  for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000], ['ms', 1]] as const) {
    if (rest >= size) {
      const n = Math.floor(rest / size);
      parts.push(`${n}${unit}`);
      rest -= n * size;
    }
  }
  return parts.join(' ');
}

/**
 * A measured span (an age, a lag) for people: two units at most, and days alone past a day
 * ('3.5d', '705d'), where hours and minutes are noise. Configured durations use formatDuration (exact).
 */
export function formatElapsed(ms: number): string {
  if (!(ms >= 0)) return '-';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${s % 60 === 0 ? '' : ` ${s % 60}s`}`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h${Math.floor(s / 60) % 60 === 0 ? '' : ` ${Math.floor(s / 60) % 60}m`}`;
  const days = ms / 86_400_000;
  return days < 10 ? `${Math.floor(days * 10) / 10}d` : `${Math.floor(days)}d`;
}
