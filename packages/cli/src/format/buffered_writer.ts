import type { Writable } from 'node:stream';

/**
 * Collects output and hands it to the stream in large writes: many records per write call, one
 * flush per event-loop turn at most (so a trickle of records still shows up promptly), and the
 * caller awaits `write()` only when the stream signals backpressure.
 */
export class BufferedWriter {
  readonly #stream: Writable;
  readonly #limit: number;
  #parts: (string | Uint8Array)[] = [];
  #size = 0;
  #scheduled = false;
  #blocked: Promise<void> | null = null;
  #closed = false;

  constructor(stream: Writable, limitBytes = 64 * 1024) {
    this.#stream = stream;
    this.#limit = limitBytes;
  }

  /** Queues a chunk. Returns a promise only when the caller should wait for the stream to drain. */
  write(chunk: string | Uint8Array): Promise<void> | undefined {
    if (this.#closed) return undefined;
    this.#parts.push(chunk);
    this.#size += chunk.length;
    if (this.#size >= this.#limit) this.#flushNow();
    else if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(() => { this.#scheduled = false; this.#flushNow(); });
    }
    return this.#blocked ?? undefined;
  }

  /** Writes everything queued and resolves when the stream has taken it. */
  async flush(): Promise<void> {
    this.#flushNow();
    if (this.#blocked) await this.#blocked;
  }

  /** Stop writing (e.g. the reader went away): queued output is dropped. */
  close(): void {
    this.#closed = true;
    this.#parts = [];
    this.#size = 0;
  }

  #flushNow(): void {
    if (this.#parts.length === 0 || this.#closed) return;
    const parts = this.#parts;
    this.#parts = [];
    this.#size = 0;
    const data = parts.every((p) => typeof p === 'string')
      ? (parts as string[]).join('')
      : Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : p)));
    const ok = this.#stream.write(data);
    if (!ok && !this.#blocked) {
      this.#blocked = new Promise<void>((resolve) => {
        const done = () => { this.#stream.off('drain', done); this.#stream.off('close', done); this.#blocked = null; resolve(); };
        this.#stream.on('drain', done);
        this.#stream.on('close', done);
      });
    }
  }
}
