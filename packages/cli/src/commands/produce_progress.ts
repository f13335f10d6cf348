import { formatSize } from '../parse/size.ts';

/** How often the live count is redrawn on a terminal. */
const REDRAW_MS = 250;

/**
 * What `eddy produce` tells the user on stderr: on a terminal, a live count and rate redrawn in
 * place; notices (retries) on their own lines; and one summary line at the end. Counting is two
 * additions per record; the drawing runs on a timer, not per record.
 */
export class ProduceProgress {
  records = 0;
  bytes = 0;
  readonly #out: NodeJS.WritableStream;
  readonly #live: boolean;
  readonly #startMs = performance.now();
  #timer: NodeJS.Timeout | null = null;
  #drawn = false;
  #lastRetry = 0;

  /** `live`: redraw a count in place (stderr is a terminal and nothing else draws there). */
  constructor(out: NodeJS.WritableStream, live: boolean) {
    this.#out = out;
    this.#live = live;
    if (live) {
      this.#timer = setInterval(() => this.#draw(), REDRAW_MS);
      this.#timer.unref();
    }
  }

  /** Seconds since the start. */
  get seconds(): number {
    return (performance.now() - this.#startMs) / 1000;
  }

  /** A line of its own (the live count is cleared first and redrawn on the next tick). */
  notice(line: string): void {
    this.#clear();
    this.#out.write(`${line}\n`);
  }

  /** 'retrying 3/10: <why>', once per attempt number (a retry round re-sends many batches). */
  retrying(attempt: number, of: number, err: Error): void {
    if (attempt === this.#lastRetry) return;
    this.#lastRetry = attempt;
    this.notice(`retrying ${attempt}/${of}: ${err.message.split('\n')[0]}`);
  }

  /** Stops redrawing and removes the live count. */
  stop(): void {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
    this.#clear();
  }

  /** 'produced 2000000 records (13.9 MB) in 4.2s (476190 records/s)'. */
  summary(): string {
    const s = this.seconds;
    return `produced ${this.records} record${this.records === 1 ? '' : 's'} (${formatSize(this.bytes)}) in ${s.toFixed(1)}s${this.records > 0 && s > 0.05 ? ` (${rate(this.records / s)} records/s)` : ''}`;
  }

  #draw(): void {
    const s = this.seconds;
    this.#out.write(`\r\x1b[K${this.records} records, ${formatSize(this.bytes)}, ${rate(s > 0 ? this.records / s : 0)} records/s`);
    this.#drawn = true;
  }

  #clear(): void {
    if (!this.#drawn) return;
    this.#out.write('\r\x1b[K');
    this.#drawn = false;
  }
}

function rate(perSecond: number): string {
  return perSecond >= 100 ? String(Math.round(perSecond)) : perSecond.toFixed(1);
}
