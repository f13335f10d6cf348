/**
 * Splits a byte stream into segments at a delimiter (streaming mode). Chunks may cut a segment or
 * the delimiter anywhere; empty segments (two delimiters in a row) are dropped.
 */
export class DelimiterSplitter {
  private readonly delimiter: Buffer;
  private pending: Buffer = Buffer.alloc(0);

  constructor(delimiter: string) {
    if (delimiter === '') throw new Error('the delimiter must not be empty');
    this.delimiter = Buffer.from(delimiter, 'utf8');
  }

  /** The complete segments `chunk` finishes, in order. */
  push(chunk: Uint8Array): string[] {
    const data = this.pending.length === 0 ? Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength) : Buffer.concat([this.pending, chunk]);
    const out: string[] = [];
    let start = 0;
    for (let i = data.indexOf(this.delimiter, 0); i >= 0; i = data.indexOf(this.delimiter, start)) {
      if (i > start) out.push(data.toString('utf8', start, i));
      start = i + this.delimiter.length;
    }
    // Copied: the caller may reuse `chunk`'s memory.
    this.pending = Buffer.from(data.subarray(start));
    return out;
  }

  /** What is left after the stream ended (a last segment without a delimiter), or null. */
  end(): string | null {
    const rest = this.pending.length > 0 ? this.pending.toString('utf8') : null;
    this.pending = Buffer.alloc(0);
    return rest;
  }
}
