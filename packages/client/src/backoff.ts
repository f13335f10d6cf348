import { CONNECT_RETRY_BACKOFF } from './defaults.ts';

/**
 * Exponential backoff with full jitter: attempt n waits a random time in
 * [base * 2^n / 2, base * 2^n], capped at `maxMs`. Jitter keeps many clients that lost the same
 * broker from reconnecting in lock step.
 */
export interface BackoffOptions {
  initialMs?: number;
  maxMs?: number;
}

export function backoffDelay(attempt: number, opts: BackoffOptions = {}): number {
  const base = opts.initialMs ?? CONNECT_RETRY_BACKOFF.initialMs;
  const max = opts.maxMs ?? CONNECT_RETRY_BACKOFF.maxMs;
  const ceiling = Math.min(max, base * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
}

/** Resolves after `ms`, or early (without throwing) when `signal` aborts. The timer never holds the process open alone. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => { clearTimeout(t); signal?.removeEventListener('abort', done); resolve(); };
    const t = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
