import { pino } from 'pino';
import type { Logger } from 'pino';

export interface LogOptions {
  /** Append JSON lines here instead of stdout (folders are created). */
  logFile?: string;
  /** pino level: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent'. Default 'info'. */
  level?: string;
  /** Write to stderr rather than stdout (when stdout carries other output). */
  stderr?: boolean;
}

export interface OwnedLogger {
  logger: Logger;
  /** Flushes and releases the destination (no-op for a logger the caller passed in). */
  close(): void;
}

function isLogger(v: unknown): v is Logger {
  return typeof v === 'object' && v !== null && typeof (v as Logger).child === 'function' && typeof (v as Logger).info === 'function';
}

/** Uses the caller's pino logger as is, or builds one from LogOptions. Never per-record logging. */
export function createLogger(opt: Logger | LogOptions | undefined): OwnedLogger {
  if (isLogger(opt)) return { logger: opt, close() {} };
  const level = opt?.level ?? 'info';
  // Sync writes: logging is rare (never per record), and a crash must not lose the last lines.
  const dest = opt?.logFile
    ? pino.destination({ dest: opt.logFile, sync: true, mkdir: true, append: true })
    : pino.destination({ dest: opt?.stderr ? 2 : 1, sync: true });
  const logger = pino({ level, base: { pid: process.pid } }, dest);
  return {
    logger,
    close() {
      try { dest.flushSync(); } catch { /* nothing buffered or already closed */ }
      if (opt?.logFile) dest.end();
    },
  };
}
