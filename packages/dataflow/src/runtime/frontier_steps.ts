/**
 * Where the frontier moved during one step: at source position pos[k] it became
 * (ms[k], sub[k]) (increasing; a physical time as whole ms and ns past it, see time/nanos.ts).
 * A buffer releases a timestamp at the first of these changes that passes it, which gives the
 * release its order key whatever the batching.
 */
import { msAt, subAt } from '../time/nanos.ts';

export class FrontierSteps {
  private readonly pos: number[] = [];
  private readonly ms: number[] = [];
  private readonly sub: number[] = [];

  /** Forgets the previous step's changes. */
  clear(): void {
    this.pos.length = 0;
    this.ms.length = 0;
    this.sub.length = 0;
  }

  /** The frontier became (ms, sub) at source position `position` (later than any added). */
  add(position: number, ms: number, sub: number): void {
    this.pos.push(position);
    this.ms.push(ms);
    this.sub.push(sub);
  }

  /**
   * Order key of a release of the timestamp whose 16 bytes start `ts` (2·position + 1 of the
   * first change past its physical time), or -1.
   */
  releaseKey(ts: Uint8Array): number {
    const m = msAt(ts, 0);
    const s = subAt(ts, 0);
    const fm = this.ms;
    const fs = this.sub;
    const last = fm.length - 1;
    if (last < 0 || !after(fm[last], fs[last], m, s)) return -1;
    let lo = 0;
    let hi = last;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (after(fm[mid], fs[mid], m, s)) hi = mid;
      else lo = mid + 1;
    }
    return 2 * this.pos[lo] + 1;
  }
}

/** (am, as) > (bm, bs); am may be ±Infinity (no frontier / flushed). */
function after(am: number, as: number, bm: number, bs: number): boolean {
  return am > bm || (am === bm && as > bs);
}
