import { appendFile, readFile, rename, stat } from 'node:fs/promises';
import type { ConnectorFiles } from './connector_files.ts';

/** One log file's cap; at it the file becomes `connector.log.1` (replacing the older one). */
export const CONNECTOR_LOG_CAP_BYTES = 1 << 20;

/**
 * A connector's captured output: whole lines appended to its log file, each secret value
 * replaced by `***` first (the kit keeps secrets out of its logs; this also covers a connector
 * that prints one), rotated at a size cap. Writes are queued so lines keep their order.
 */
export class ConnectorLog {
  private readonly files: ConnectorFiles;
  private readonly secrets: readonly string[];
  private readonly capBytes: number;
  private size = -1;
  private queue: Promise<void> = Promise.resolve();

  constructor(files: ConnectorFiles, secretValues: Iterable<string>, capBytes = CONNECTOR_LOG_CAP_BYTES) {
    this.files = files;
    // Longest first, so a secret that contains another is replaced whole.
    this.secrets = [...secretValues].filter((v) => v.length > 0).sort((a, b) => b.length - a.length);
    this.capBytes = capBytes;
  }

  /** The line with every secret value masked. */
  redact(line: string): string {
    let out = line;
    for (const s of this.secrets) if (out.includes(s)) out = out.split(s).join('***');
    return out;
  }

  /** Appends lines (without their newline); resolves once written. */
  write(lines: readonly string[]): Promise<void> {
    if (lines.length === 0) return this.queue;
    const text = `${lines.map((l) => this.redact(l)).join('\n')}\n`;
    this.queue = this.queue.then(() => this.append(text)).catch(() => { /* a full disk must not stop the connector */ });
    return this.queue;
  }

  flushed(): Promise<void> {
    return this.queue;
  }

  private async append(text: string): Promise<void> {
    if (this.size < 0) this.size = await stat(this.files.log).then((s) => s.size, () => 0);
    if (this.size > 0 && this.size + text.length > this.capBytes) {
      await rename(this.files.log, this.files.oldLog).catch(() => {});
      this.size = 0;
    }
    await appendFile(this.files.log, text, { mode: 0o600 });
    this.size += Buffer.byteLength(text);
  }
}

/**
 * Splits a child's output into lines for a ConnectorLog: keeps a partial last line until its
 * newline arrives (so a secret split across chunks is still masked whole).
 */
export class LineSplitter {
  private rest = '';
  /** Called with the complete lines of every chunk. */
  private readonly onLines: (lines: string[]) => void;

  constructor(onLines: (lines: string[]) => void) {
    this.onLines = onLines;
  }

  push(chunk: Buffer | string): void {
    const text = this.rest + chunk.toString();
    const lines = text.split('\n');
    this.rest = lines.pop() ?? '';
    // An unterminated line past 64 KiB is written as it is rather than held without bound.
    if (this.rest.length > 65536) { lines.push(this.rest); this.rest = ''; }
    if (lines.length > 0) this.onLines(lines);
  }

  end(): void {
    if (this.rest !== '') this.onLines([this.rest]);
    this.rest = '';
  }
}

/** The last `lines` lines (0: all) of the connector's kept log, the rotated file first. */
export async function readConnectorLog(files: ConnectorFiles, lines: number): Promise<string> {
  const read = (p: string): Promise<string> => readFile(p, 'utf8').catch(() => '');
  const text = (await read(files.oldLog)) + (await read(files.log));
  if (lines <= 0) return text;
  const all = text.split('\n');
  if (all.at(-1) === '') all.pop();
  const tail = all.slice(-lines);
  return tail.length === 0 ? '' : `${tail.join('\n')}\n`;
}
