/**
 * Tracks many outstanding sends without awaiting each: counts them, remembers the first failure
 * and how many failed, and lets the caller wait for room when too many are pending.
 */
export class InFlight {
  readonly #limit: number;
  #pending = 0;
  #failed = 0;
  #firstError: unknown = undefined;
  #waiters: (() => void)[] = [];
  #idle: (() => void)[] = [];

  constructor(limit: number) {
    this.#limit = limit;
  }

  get pending(): number { return this.#pending; }
  get failed(): number { return this.#failed; }
  get firstError(): unknown { return this.#firstError; }
  get full(): boolean { return this.#pending >= this.#limit; }

  add(p: PromiseLike<unknown>): void {
    this.#pending++;
    p.then(() => this.#settle(), (err: unknown) => {
      if (this.#failed++ === 0) this.#firstError = err;
      this.#settle();
    });
  }

  /** Resolves once at most half of `limit` are pending (hysteresis: one wake-up per many sends). */
  room(): Promise<void> {
    if (!this.full) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** Resolves once nothing is pending. */
  settled(): Promise<void> {
    if (this.#pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  #settle(): void {
    this.#pending--;
    if (this.#waiters.length > 0 && this.#pending <= this.#limit >> 1) {
      const w = this.#waiters;
      this.#waiters = [];
      for (const f of w) f();
    }
    if (this.#pending === 0 && this.#idle.length > 0) {
      const w = this.#idle;
      this.#idle = [];
      for (const f of w) f();
    }
  }
}
