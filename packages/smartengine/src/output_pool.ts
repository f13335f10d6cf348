// Output buffers of SmartChain.processBatches: SharedArrayBuffers the sandbox writes finished
// batches into, lent for one call and reused once the caller releases the result. A stream in
// steady state then allocates no fresh memory per call (a fresh multi-MiB buffer costs page
// faults where it is written, and such external memory drives V8 into full collections). A
// buffer the caller never releases is only lost to reuse: the pool keeps no reference to it.
// But V8 does not count shared memory as pressure to collect, so a caller that keeps not
// releasing would pile up unreachable buffers between collections: past `maxLent` buffers out,
// take() lends none (the chain then copies the output into a Buffer of its own, which V8 counts).

const GRAIN = 64 * 1024;

export class OutputPool {
  readonly #maxFree: number;
  readonly #maxLent: number;
  readonly #free: SharedArrayBuffer[] = [];
  /** Largest output seen (a buffer for less would have to spill). */
  #largest = 0;
  /** Buffers taken and not given back. */
  #lent = 0;

  /** Keeps at most `maxFree` released buffers for reuse and lends at most `maxLent` at a time. */
  constructor(maxFree = 2, maxLent = 8) {
    this.#maxFree = maxFree;
    this.#maxLent = maxLent;
  }

  /**
   * A buffer for the output of `inputBytes` of batches: room for the input (what a filter returns
   * at most) or the largest output seen; null when `maxLent` are out already.
   */
  take(inputBytes: number): SharedArrayBuffer | null {
    if (this.#lent >= this.#maxLent) return null;
    this.#lent++;
    const want = Math.max(inputBytes, this.#largest);
    const free = this.#free;
    let best = -1;
    for (let i = 0; i < free.length; i++) {
      const n = free[i].byteLength;
      if (n >= want && (best < 0 || n < free[best].byteLength)) best = i;
    }
    if (best >= 0) return free.splice(best, 1)[0];
    return new SharedArrayBuffer(Math.ceil(want / GRAIN) * GRAIN);
  }

  /** Takes back a buffer no one looks at any more. */
  give(sab: SharedArrayBuffer): void {
    this.#lent--;
    const free = this.#free;
    if (sab.byteLength < this.#largest) return; // too small to serve again
    free.push(sab);
    if (free.length > this.#maxFree) {
      let smallest = 0;
      for (let i = 1; i < free.length; i++) if (free[i].byteLength < free[smallest].byteLength) smallest = i;
      free.splice(smallest, 1);
    }
  }

  /** Largest output seen. */
  get largest(): number {
    return this.#largest;
  }

  /** Records an output size, so later buffers are big enough for it. */
  saw(outputBytes: number): void {
    if (outputBytes > this.#largest) this.#largest = outputBytes;
  }

  /** Released buffers kept (for tests). */
  get freeCount(): number {
    return this.#free.length;
  }

  /** Buffers out (for tests). */
  get lentCount(): number {
    return this.#lent;
  }
}
