import { setTimeout as sleep } from 'node:timers/promises';
import { PermanentError, RetryBudgetExhausted } from './errors.ts';

export interface RetryOptions {
  /** Attempts in all (the first one included). Default 8. */
  attempts?: number;
  /** First delay; doubles per attempt with ±20% jitter. Default 200 ms. */
  initialDelayMs?: number;
  /** Delay cap. Default 5 s. */
  maxDelayMs?: number;
}

export const RETRY_DEFAULTS: Required<RetryOptions> = { attempts: 8, initialDelayMs: 200, maxDelayMs: 5000 };

/**
 * Runs `fn` until it resolves, at most `attempts` times, sleeping with exponential backoff in
 * between. PermanentError and an aborted `signal` end it at once. `onRetry` hears each failure
 * that will be retried (for a warn line and the errors metric).
 */
export async function withRetry<T>(
  what: string,
  fn: (attempt: number) => Promise<T>,
  opts: RetryOptions = {},
  signal?: AbortSignal,
  onRetry?: (err: unknown, attempt: number, delayMs: number) => void,
): Promise<T> {
  const attempts = Math.max(1, opts.attempts ?? RETRY_DEFAULTS.attempts);
  let delay = opts.initialDelayMs ?? RETRY_DEFAULTS.initialDelayMs;
  const cap = opts.maxDelayMs ?? RETRY_DEFAULTS.maxDelayMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      if (err instanceof PermanentError || signal?.aborted) throw err;
      if (attempt >= attempts) throw new RetryBudgetExhausted(what, attempt, err);
      const wait = Math.round(Math.min(cap, delay * (0.8 + Math.random() * 0.4)));
      onRetry?.(err, attempt, wait);
      try {
        await sleep(wait, undefined, { signal });
      } catch {
        throw err; // aborted while waiting: stopping, not retrying
      }
      delay *= 2;
    }
  }
}
