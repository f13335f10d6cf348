import { open, readFile, rename, stat, writeFile, type FileHandle } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { defineSource, type SourceContext, type SourceRecord } from '@eddy/connector';

export interface FileSourceOptions {
  path: string;
  mode: 'once' | 'tail';
  start: 'beginning' | 'end';
  poll_interval_ms: number;
  position_file?: string;
  chunk_bytes: number;
}

const NEWLINE = 0x0a;

/**
 * file-source: one record per line of a file, read once or tailed. With `position_file`, the byte
 * position after the last line the cluster acknowledged is saved there and a restart resumes from
 * it (at least once: only lines in flight at a crash can come again).
 */
export const fileSource = defineSource<FileSourceOptions>({
  name: 'file-source',
  version: '0.1.0',
  description: 'Reads a file line by line (once, or following appends like tail -f) and produces one record per line',
  options: {
    type: 'object',
    required: ['path'],
    additionalProperties: false,
    properties: {
      path: { type: 'string', minLength: 1, description: 'The file to read' },
      mode: { type: 'string', enum: ['once', 'tail'], default: 'once', description: "'once': read to the end and stop; 'tail': keep following appends (a truncated file is read again from its start)" },
      start: { type: 'string', enum: ['beginning', 'end'], default: 'beginning', description: "Where a run without a saved position starts ('end': only lines appended later)" },
      poll_interval_ms: { type: 'integer', minimum: 10, default: 250, description: "How often 'tail' checks the file for appends" },
      position_file: { type: 'string', description: 'Where to save the acknowledged read position; a restart resumes from it' },
      chunk_bytes: { type: 'integer', minimum: 1024, default: 65536, description: 'Read size' },
    },
  },
  async open(opts, ctx) {
    const saved = opts.position_file === undefined ? null : await loadPosition(opts.position_file);
    // Reached here only when the file can be opened: a missing file is retried, then fails.
    const fh = await open(opts.path, 'r');
    const size = (await fh.stat()).size;
    const from = saved !== null && saved <= size ? saved : opts.start === 'end' ? size : 0;
    ctx.logger.info({ event: 'file-open', path: opts.path, position: from, resumed: saved !== null }, `reading ${opts.path} from byte ${from}`);
    const tracker = opts.position_file === undefined ? null : new PositionTracker(opts.position_file, from);
    // Iterable and closable: the kit closes it after the last acknowledgement (the final save).
    return {
      [Symbol.asyncIterator]: () => lines(fh, from, opts, ctx, tracker),
      close: () => tracker?.close(),
    };
  },
});

async function* lines(fh: FileHandle, from: number, opts: FileSourceOptions, ctx: SourceContext, tracker: PositionTracker | null): AsyncGenerator<SourceRecord> {
  const buf = Buffer.allocUnsafe(opts.chunk_bytes);
  let pending: Buffer = Buffer.alloc(0);
  let pos = from; // file position of pending[0]
  let readAt = from;
  try {
    for (;;) {
      if (ctx.signal.aborted) return;
      const { bytesRead } = await fh.read(buf, 0, buf.length, readAt);
      if (bytesRead === 0) {
        if (opts.mode === 'once') {
          if (pending.length > 0) yield record(pending.toString('utf8'), pos + pending.length, tracker); // last line without newline
          return;
        }
        const now = (await stat(opts.path).catch(() => null))?.size ?? readAt;
        if (now < readAt) { // truncated (log rotation by copytruncate): start over
          readAt = 0; pos = 0; pending = Buffer.alloc(0);
          tracker?.reset();
          continue;
        }
        await sleep(opts.poll_interval_ms, undefined, { signal: ctx.signal }).catch(() => {});
        continue;
      }
      readAt += bytesRead;
      const chunk = pending.length === 0 ? buf.subarray(0, bytesRead) : Buffer.concat([pending, buf.subarray(0, bytesRead)]);
      let lineStart = 0;
      for (let i = chunk.indexOf(NEWLINE); i >= 0; i = chunk.indexOf(NEWLINE, lineStart)) {
        const end = i > lineStart && chunk[i - 1] === 0x0d ? i - 1 : i;
        yield record(chunk.toString('utf8', lineStart, end), pos + i + 1, tracker);
        lineStart = i + 1;
      }
      pos += lineStart;
      // Copy the partial line out: `buf` is reused by the next read.
      pending = Buffer.from(chunk.subarray(lineStart));
    }
  } finally {
    await fh.close();
  }
}

function record(value: string, endPos: number, tracker: PositionTracker | null): SourceRecord {
  return tracker === null ? { value } : { value, ack: () => tracker.acked(endPos) };
}

/** Saves the highest acknowledged position, at most every 200 ms and on close (write + rename: never half a file). */
class PositionTracker {
  private readonly file: string;
  private position: number;
  private saved: number;
  private timer: NodeJS.Timeout | null = null;
  private writing: Promise<void> = Promise.resolve();

  constructor(file: string, position: number) {
    this.file = file;
    this.position = position;
    this.saved = position;
  }

  acked(endPos: number): void {
    if (endPos <= this.position) return;
    this.position = endPos;
    this.timer ??= setTimeout(() => { this.timer = null; this.save(); }, 200);
  }

  reset(): void {
    this.position = 0;
    this.save();
  }

  private save(): void {
    const p = this.position;
    if (p === this.saved) return;
    this.saved = p;
    this.writing = this.writing.then(async () => {
      await writeFile(`${this.file}.tmp`, `${p}\n`);
      await rename(`${this.file}.tmp`, this.file);
    });
  }

  async close(): Promise<void> {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.save();
    await this.writing;
  }
}

async function loadPosition(file: string): Promise<number | null> {
  const text = await readFile(file, 'utf8').catch(() => null);
  const n = text === null ? NaN : Number(text.trim());
  return Number.isSafeInteger(n) && n >= 0 ? n : null;
}
