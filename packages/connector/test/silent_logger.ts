import { pino, type Logger } from 'pino';

/** A logger that drops everything (tests that do not check log lines). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
