/**
 * Hybrid logical clock timestamps (physical ms, logical counter, node id), compared in that
 * order. A graph instance's clock advances by the HLC receive rule over the event times it sees,
 * with the event time standing in for the wall clock: the same input gives the same clock
 * readings, which keeps `hlc_now`, state expiry and fencing deterministic on replay.
 */
export interface Hlc {
  physical: number;
  counter: number;
  node: number;
}

export function compareHlc(a: Hlc, b: Hlc): number {
  if (a.physical !== b.physical) return a.physical < b.physical ? -1 : 1;
  if (a.counter !== b.counter) return a.counter < b.counter ? -1 : 1;
  if (a.node !== b.node) return a.node < b.node ? -1 : 1;
  return 0;
}

export function formatHlc(t: Hlc): string {
  return `${new Date(t.physical).toISOString()}/${t.counter}/${t.node}`;
}

export class HybridClock {
  physical = 0;
  counter = 0;
  readonly node: number;

  constructor(node: number, start?: Hlc) {
    this.node = node;
    if (start) {
      this.physical = start.physical;
      this.counter = start.counter;
    }
  }

  /** The receive rule for an event at `physical` ms carrying `counter`. */
  observe(physical: number, counter = 0): void {
    if (physical > this.physical) {
      this.physical = physical;
      this.counter = counter + 1;
    } else if (physical === this.physical) {
      this.counter = Math.max(this.counter, counter) + 1;
    } else {
      this.counter += 1;
    }
  }

  now(): Hlc {
    return { physical: this.physical, counter: this.counter, node: this.node };
  }
}
