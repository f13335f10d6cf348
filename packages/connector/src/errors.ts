/**
 * A bad connector config or secrets file. The message is one line and names the YAML path
 * (e.g. `meta.consumer.offset.start`) so the user can find the mistake without a stack trace.
 */
export class ConfigError extends Error {
  /** Dotted YAML path of the offending value ('' for the whole file). */
  readonly path: string;
  constructor(path: string, message: string) {
    super(path === '' ? message : `${path}: ${message}`);
    this.name = 'ConfigError';
    this.path = path;
  }
}

/**
 * The outside system stayed unreachable (or kept failing) after the retry budget: the connector
 * exits non-zero with this one line rather than hanging.
 */
export class RetryBudgetExhausted extends Error {
  readonly attempts: number;
  constructor(what: string, attempts: number, cause: unknown) {
    super(`${what}: gave up after ${attempts} attempt${attempts === 1 ? '' : 's'}: ${oneLine(cause)}`, { cause });
    this.name = 'RetryBudgetExhausted';
    this.attempts = attempts;
  }
}

/** Thrown by connector code for a failure retrying cannot fix (bad credentials, bad data): no retries. */
export class PermanentError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'PermanentError';
  }
}

/** The first non-empty line of an error's message. */
export function oneLine(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.split('\n').find((l) => l.trim() !== '')?.trim() ?? msg;
}
