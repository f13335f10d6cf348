/**
 * When the producer next looks for batches to send: at the end of the current event-loop turn
 * (records were appended), or at the earliest time a lingering batch or a retry becomes due. One
 * immediate and one timer at most, whatever the number of sends.
 */
export class LingerTimer {
  private readonly drain: () => void;
  private scheduled = false;
  private timer: NodeJS.Timeout | null = null;
  private timerAt = Infinity;

  constructor(drain: () => void) {
    this.drain = drain;
  }

  /** Drains at the end of this event-loop turn (once, however often it is asked). */
  soon(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(this.immediate);
  }

  /** Drains at `at` (epoch ms) unless a timer for an earlier time is already set. */
  at(at: number, now: number): void {
    if (at === Infinity || at >= this.timerAt) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(this.timed, Math.max(1, at - now));
  }

  clear(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private readonly immediate = (): void => {
    this.scheduled = false;
    this.drain();
  };

  private readonly timed = (): void => {
    this.timer = null;
    this.timerAt = Infinity;
    this.drain();
  };
}
