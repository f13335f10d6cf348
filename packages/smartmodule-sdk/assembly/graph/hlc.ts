// Hybrid logical clock timestamps (ABI.md "Timestamp"): 16 bytes, u64 physical ns since the Unix
// epoch (Azure's unit), u32 logical counter, u32 node id; they compare by (physical, counter, node).
import { host_hlc_now } from "./host";

export const HLC_SIZE: usize = 16;
export const NANOS_PER_MILLI: u64 = 1_000_000;
export const NANOS_PER_SECOND: u64 = 1_000_000_000;

export class Hlc {
  /** Physical time, nanoseconds since the Unix epoch. */
  physical: u64 = 0;
  /** Logical counter: orders events within one nanosecond. */
  counter: u32 = 0;
  /** Node id: the graph instance (source partition). */
  node: u32 = 0;

  constructor(physical: u64 = 0, counter: u32 = 0, node: u32 = 0) {
    this.physical = physical;
    this.counter = counter;
    this.node = node;
  }

  /** The timestamp stored at `ptr` (16 bytes, ABI layout). */
  static read(ptr: usize): Hlc {
    return new Hlc(load<u64>(ptr), load<u32>(ptr, 8), load<u32>(ptr, 12));
  }

  /** Overwrites this with the timestamp at `ptr`; returns this. */
  load(ptr: usize): Hlc {
    this.physical = load<u64>(ptr);
    this.counter = load<u32>(ptr, 8);
    this.node = load<u32>(ptr, 12);
    return this;
  }

  /** Writes this timestamp at `ptr` (16 bytes). */
  store(ptr: usize): void {
    store<u64>(ptr, this.physical);
    store<u32>(ptr, this.counter, 8);
    store<u32>(ptr, this.node, 12);
  }

  /** Negative, 0 or positive as this is before, equal to or after `other`. */
  compare(other: Hlc): i32 {
    if (this.physical != other.physical) return this.physical < other.physical ? -1 : 1;
    if (this.counter != other.counter) return this.counter < other.counter ? -1 : 1;
    if (this.node != other.node) return this.node < other.node ? -1 : 1;
    return 0;
  }

  equals(other: Hlc): bool {
    return this.compare(other) == 0;
  }

  clone(): Hlc {
    return new Hlc(this.physical, this.counter, this.node);
  }

  /** Whole seconds of the physical time (Azure's `timespec.secs`). */
  get secs(): u64 { return this.physical / NANOS_PER_SECOND; }

  /** Nanoseconds past `secs` (Azure's `timespec.nanos`). */
  get nanos(): u32 { return <u32>(this.physical % NANOS_PER_SECOND); }

  /** Whole milliseconds of the physical time (a record timestamp's unit). */
  get millis(): u64 { return this.physical / NANOS_PER_MILLI; }

  /** `physical.counter@node` (physical in ns), for logs. */
  toString(): string {
    return this.physical.toString() + "." + this.counter.toString() + "@" + this.node.toString();
  }
}

/** Compares the timestamps stored at `a` and `b` (no objects made). */
export function compareHlcAt(a: usize, b: usize): i32 {
  const pa = load<u64>(a), pb = load<u64>(b);
  if (pa != pb) return pa < pb ? -1 : 1;
  const ca = load<u32>(a, 8), cb = load<u32>(b, 8);
  if (ca != cb) return ca < cb ? -1 : 1;
  const na = load<u32>(a, 12), nb = load<u32>(b, 12);
  if (na != nb) return na < nb ? -1 : 1;
  return 0;
}

const nowScratch = memory.data(16);

/** The instance's current HLC (host `hlc_now`). */
export function hlcNow(): Hlc {
  host_hlc_now(<i32>nowScratch);
  return Hlc.read(nowScratch);
}
