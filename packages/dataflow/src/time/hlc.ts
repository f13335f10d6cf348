/**
 * Hybrid logical clock timestamps (physical ns since the Unix epoch, logical counter, node id),
 * compared in that order. A graph instance's clock advances by the HLC receive rule over the
 * event times it sees, with the event time standing in for the wall clock: the same input gives
 * the same clock readings, which keeps `hlc_now`, state expiry and fencing deterministic on replay.
 */
import { formatNanosIso, msOf, nsOf, subOf } from './nanos.ts';

export interface Hlc {
  /** Nanoseconds since the Unix epoch (a u64: bigint, since it passes 2^53). */
  physical: bigint;
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
  return `${formatNanosIso(t.physical)}/${t.counter}/${t.node}`;
}

export class HybridClock {
  /** Physical time as (whole ms, ns past it): the receive rule runs per source message, without allocating. */
  ms = 0;
  sub = 0;
  counter = 0;
  readonly node: number;

  constructor(node: number, start?: Hlc) {
    this.node = node;
    if (start) {
      this.physical = start.physical;
      this.counter = start.counter;
    }
  }

  get physical(): bigint {
    return nsOf(this.ms, this.sub);
  }

  set physical(ns: bigint) {
    this.ms = msOf(ns);
    this.sub = subOf(ns);
  }

  /** The receive rule for an event at physical time (ms, sub) carrying `counter`. */
  observe(ms: number, sub: number, counter = 0): void {
    if (ms > this.ms || (ms === this.ms && sub > this.sub)) {
      this.ms = ms;
      this.sub = sub;
      this.counter = counter + 1;
    } else if (ms === this.ms && sub === this.sub) {
      this.counter = Math.max(this.counter, counter) + 1;
    } else {
      this.counter += 1;
    }
  }

  now(): Hlc {
    return { physical: this.physical, counter: this.counter, node: this.node };
  }
}
