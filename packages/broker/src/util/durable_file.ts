import { writeFileAtomic } from './atomic_write.ts';

/**
 * A small file rewritten atomically whenever its owner's state changes. Changes that arrive while
 * a write is in flight share the next write (group commit), so a burst of changes costs two
 * fsyncs, not one each. `save()` resolves once a write made after the call is durable.
 */
export class DurableFile {
  readonly path: string;
  private render: () => string | Uint8Array;
  private version = 0;
  private written = 0;
  private writing: Promise<void> | null = null;

  constructor(path: string, render: () => string | Uint8Array) {
    this.path = path;
    this.render = render;
  }

  async save(): Promise<void> {
    const mine = ++this.version;
    while (this.written < mine) {
      if (!this.writing) {
        const v = this.version;
        this.writing = writeFileAtomic(this.path, this.render()).then(
          () => { this.written = Math.max(this.written, v); this.writing = null; },
          (err: unknown) => { this.writing = null; throw err; },
        );
      }
      await this.writing;
    }
  }

  /** Waits for the write in flight, if any (errors are the savers' to see). */
  async settle(): Promise<void> {
    while (this.writing) await this.writing.catch(() => {});
  }
}
