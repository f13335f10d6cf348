import { createRequire } from 'node:module';
import { isatty } from 'node:tty';
import type { DestinationStream, Logger, LoggerOptions } from 'pino';

/** 'json': pino's JSON lines (machines, log files); 'pretty': one human line per entry (a terminal). */
export type LogFormat = 'json' | 'pretty';
export const LOG_FORMATS: readonly LogFormat[] = ['json', 'pretty'];

/** `text` as a LogFormat; throws a one-line Error naming the choices. */
export function parseLogFormat(text: string): LogFormat {
  if ((LOG_FORMATS as readonly string[]).includes(text)) return text as LogFormat;
  throw new Error(`unknown log format '${text}' (expected one of: ${LOG_FORMATS.join(', ')})`);
}

/** The format when none is asked for: pretty on a terminal, JSON when piped or redirected. */
export function defaultLogFormat(fd: number): LogFormat {
  return isatty(fd) ? 'pretty' : 'json';
}

export interface LogOptions {
  /** Append JSON lines here instead of stdout (folders are created). */
  logFile?: string;
  /** pino level: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent'. Default 'info'. */
  level?: string;
  /** Write to stderr rather than stdout (when stdout carries other output). */
  stderr?: boolean;
  /** Of stdout/stderr lines (default 'json'); a log file is always JSON. */
  format?: LogFormat;
}

export interface OwnedLogger {
  logger: Logger;
  /** Flushes and releases the destination (no-op for a logger the caller passed in). */
  close(): void;
}

function isLogger(v: unknown): v is Logger {
  return typeof v === 'object' && v !== null && typeof (v as Logger).child === 'function' && typeof (v as Logger).info === 'function';
}

const LEVELS: Record<string, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60, silent: Infinity };
const METHODS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;

function levelValue(level: string): number {
  const v = LEVELS[level];
  if (v === undefined) throw new Error(`unknown log level '${level}' (expected one of: ${Object.keys(LEVELS).join(', ')})`);
  return v;
}

/**
 * A pino logger that loads pino only when something is first logged at an enabled level. pino and
 * what it loads (streams, worker_threads, assert, ...) are ~8 MB of a broker's RSS; a broker
 * logging at 'warn' may never need them. Calls the broker makes (the level methods, child,
 * level, isLevelEnabled, flush) behave as pino's; output is pino's own.
 */
class LazyLogger {
  private real: Logger | null = null;
  private threshold: number;
  private lvl: string;
  private readonly make: () => Logger;

  constructor(make: () => Logger, level: string) {
    this.make = make;
    this.lvl = level;
    this.threshold = levelValue(level);
  }

  get level(): string { return this.lvl; }
  set level(level: string) {
    this.threshold = levelValue(level);
    this.lvl = level;
    if (this.real !== null) this.real.level = level;
  }

  /** The pino logger behind this one (created, and pino loaded, on first use). */
  get target(): Logger {
    if (this.real === null) {
      this.real = this.make();
      this.real.level = this.lvl;
    }
    return this.real;
  }

  isLevelEnabled(level: string): boolean {
    return (LEVELS[level] ?? Infinity) >= this.threshold;
  }

  child(bindings: Record<string, unknown>, options?: { level?: string }): Logger {
    const child = new LazyLogger(() => this.target.child(bindings, options), options?.level ?? this.lvl);
    return child as unknown as Logger;
  }

  flush(cb?: (err?: Error) => void): void {
    if (this.real !== null) this.real.flush(cb);
    else cb?.();
  }
}
for (const method of METHODS) {
  const value = LEVELS[method];
  Object.defineProperty(LazyLogger.prototype, method, {
    value: function (this: { threshold: number; target: Logger }, ...args: unknown[]): void {
      if (value >= this.threshold) (this.target[method] as (...a: unknown[]) => void)(...args);
    },
  });
}

/**
 * pino's JSON lines turned into human ones, written to `sink` synchronously like JSON lines are.
 * pino-pretty is loaded only here: the JSON path never pays for it.
 */
function prettyInto(sink: DestinationStream, colorize: boolean): DestinationStream {
  const { prettyFactory } = createRequire(import.meta.url)('pino-pretty') as typeof import('pino-pretty');
  const toLine = prettyFactory({ colorize, singleLine: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' });
  return { write: (line: string) => void sink.write(toLine(line)) };
}

/** Uses the caller's pino logger as is, or builds one from LogOptions. Never per-record logging. */
export function createLogger(opt: Logger | LogOptions | undefined): OwnedLogger {
  if (isLogger(opt)) return { logger: opt, close() {} };
  const level = opt?.level ?? 'info';
  let dest: DestinationStream & { flushSync(): void; end(): void } | null = null;
  const make = (): Logger => {
    const { pino } = createRequire(import.meta.url)('pino') as typeof import('pino');
    // Sync writes: logging is rare (never per record), and a crash must not lose the last lines.
    const fd = opt?.stderr ? 2 : 1;
    const d = opt?.logFile
      ? pino.destination({ dest: opt.logFile, sync: true, mkdir: true, append: true })
      : pino.destination({ dest: fd, sync: true });
    dest = d;
    const options: LoggerOptions = { level, base: { pid: process.pid } };
    if (opt?.format !== 'pretty' || opt.logFile) return pino(options, d);
    return pino(options, prettyInto(d, isatty(fd)));
  };
  const logger = new LazyLogger(make, level) as unknown as Logger;
  return {
    logger,
    close() {
      if (dest === null) return;
      try { dest.flushSync(); } catch { /* nothing buffered or already closed */ }
      if (opt?.logFile) dest.end();
    },
  };
}
