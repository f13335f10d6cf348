import { writeFileAtomic } from './atomic_write.ts';

interface Change<V> {
  key: string;
  /** undefined deletes the key. */
  value: V | undefined;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * A map persisted as one file, rewritten atomically. Readers see only what is durable: a change
 * enters memory after the write that carries it succeeded, so a failed write (ENOSPC, EMFILE)
 * leaves no trace in memory or on disk. Changes staged while a write is in flight share the next
 * write (group commit), so a burst of changes costs two fsyncs, not one each.
 */
export class DurableMap<V> {
  readonly path: string;
  private readonly render: (entries: ReadonlyMap<string, V>) => string | Uint8Array;
  private committed = new Map<string, V>();
  private staged: Change<V>[] = [];
  private writing: Promise<void> | null = null;

  constructor(path: string, render: (entries: ReadonlyMap<string, V>) => string | Uint8Array) {
    this.path = path;
    this.render = render;
  }

  /** Fills the map from what is already on disk (no write). */
  load(key: string, value: V): void {
    this.committed.set(key, value);
  }

  get(key: string): V | undefined {
    return this.committed.get(key);
  }

  values(): IterableIterator<V> {
    return this.committed.values();
  }

  get size(): number {
    return this.committed.size;
  }

  /** Resolves once `value` is durable under `key` (and visible); rejects with the write's error. */
  set(key: string, value: V): Promise<void> {
    return this.stage(key, value);
  }

  /** Resolves once the removal is durable. */
  delete(key: string): Promise<void> {
    return this.stage(key, undefined);
  }

  /** Waits until no write is in flight or staged (errors are the callers' to see). */
  async settle(): Promise<void> {
    while (this.writing) await this.writing.catch(() => {});
  }

  private stage(key: string, value: V | undefined): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.staged.push({ key, value, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.writing || this.staged.length === 0) return;
    this.writing = this.writeStaged().finally(() => {
      this.writing = null;
      this.schedule();
    });
  }

  private async writeStaged(): Promise<void> {
    const batch = this.staged;
    this.staged = [];
    const next = new Map(this.committed);
    for (const c of batch) {
      if (c.value === undefined) next.delete(c.key);
      else next.set(c.key, c.value);
    }
    try {
      await writeFileAtomic(this.path, this.render(next));
    } catch (err) {
      for (const c of batch) c.reject(err);
      return;
    }
    this.committed = next;
    for (const c of batch) c.resolve();
  }
}
