import { closeSync, fstatSync, fsyncSync, openSync, readFileSync, renameSync, statSync, ftruncateSync, writeSync, writeFileSync } from 'node:fs';
import { defineSink, type SinkRecord, type SinkWriter } from '@eddy/connector';

export interface FileSinkOptions {
  path: string;
  state_file?: string;
  fsync: boolean;
}

/** What the sink remembers beside the file: its length after the last recorded append and the next offset per partition. */
interface SinkState {
  length: number;
  next: Record<string, number>;
}

/**
 * file-sink: appends each record's value as a line. Exactly once in the file: after each append
 * the file length and the next offset per partition are saved in a state file (write + rename);
 * on start, bytes past the recorded length (an append a crash cut off before it was recorded)
 * are truncated, and records below the recorded offsets (redelivered because the crash came
 * before the commit) are skipped. Assumes it is the file's only writer.
 */
export const fileSink = defineSink<FileSinkOptions>({
  name: 'file-sink',
  version: '0.1.0',
  description: 'Appends each record value to a file as one line, exactly once',
  options: {
    type: 'object',
    required: ['path'],
    additionalProperties: false,
    properties: {
      path: { type: 'string', minLength: 1, description: 'The file to append to (created if missing)' },
      state_file: { type: 'string', description: "Where the written length and offsets are kept; default '<path>.eddy-sink.json'" },
      fsync: { type: 'boolean', default: true, description: 'fsync the file before recording each append (survives a machine crash, not only a process crash)' },
    },
  },
  open(opts, ctx) {
    const stateFile = opts.state_file ?? `${opts.path}.eddy-sink.json`;
    const fd = openSync(opts.path, 'a+');
    const size = statSync(opts.path).size;
    let state = loadState(stateFile);
    if (state === null) {
      state = { length: size, next: {} };
    } else if (size > state.length) {
      ctx.logger.warn({ event: 'truncate', path: opts.path, from: size, to: state.length }, 'removing an append that was not recorded (crash before it completed)');
      ftruncateSync(fd, state.length);
    } else if (size < state.length) {
      // Shortened by someone else: keep appending after what is there.
      state.length = size;
    }
    const s = state;
    ctx.logger.info({ event: 'file-open', path: opts.path, length: s.length, next: s.next }, `appending to ${opts.path}`);
    const writer: SinkWriter = {
      async write(batch: readonly SinkRecord[]) {
        const p = String(batch[0].partition);
        const next = s.next[p] ?? 0;
        const parts: Buffer[] = [];
        let bytes = 0;
        for (const r of batch) {
          if (r.offset < next) continue; // already in the file
          parts.push(r.value, NL);
          bytes += r.value.length + 1;
        }
        const last = batch[batch.length - 1].offset;
        if (bytes > 0) {
          // A failed attempt may have left part of its append: cut it before retrying.
          if (fstatSync(fd).size !== s.length) ftruncateSync(fd, s.length);
          const data = Buffer.concat(parts, bytes);
          let off = 0;
          while (off < data.length) off += writeSync(fd, data, off, data.length - off);
          if (opts.fsync) fsyncSync(fd);
          s.length += bytes;
        }
        if (last + 1 > next) {
          s.next[p] = last + 1;
          saveState(stateFile, s, opts.fsync);
        }
      },
      close() { closeSync(fd); },
    };
    return writer;
  },
});

const NL = Buffer.from('\n');

function loadState(file: string): SinkState | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  const st = JSON.parse(text) as SinkState;
  if (!Number.isSafeInteger(st.length) || typeof st.next !== 'object' || st.next === null) throw new Error(`state file '${file}' is damaged`);
  return st;
}

function saveState(file: string, st: SinkState, sync: boolean): void {
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, JSON.stringify(st));
  if (sync) {
    const fd = openSync(tmp, 'r');
    try { fsyncSync(fd); } finally { closeSync(fd); }
  }
  renameSync(tmp, file);
}
