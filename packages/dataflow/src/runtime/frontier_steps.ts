/**
 * Where the frontier moved during one step: at source position pos[k] it became val[k]
 * (increasing). A buffer releases a timestamp at the first of these changes that passes it,
 * which gives the release its order key whatever the batching.
 */
export class FrontierSteps {
  private readonly pos: number[] = [];
  private readonly val: number[] = [];

  /** Forgets the previous step's changes. */
  clear(): void {
    this.pos.length = 0;
    this.val.length = 0;
  }

  /** The frontier became `frontier` at source position `position` (later than any added). */
  add(position: number, frontier: number): void {
    this.pos.push(position);
    this.val.push(frontier);
  }

  /** Order key of a release of timestamp `physical` (2·position + 1 of the first change past it), or -1. */
  releaseKey(physical: number): number {
    const fv = this.val;
    if (fv.length === 0 || !(fv[fv.length - 1] > physical)) return -1;
    let lo = 0;
    let hi = fv.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (fv[mid] > physical) hi = mid;
      else lo = mid + 1;
    }
    return 2 * this.pos[lo] + 1;
  }
}
