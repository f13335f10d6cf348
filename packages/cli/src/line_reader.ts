import type { Readable } from 'node:stream';

const NL = 0x0a;
const CR = 0x0d;

/**
 * Splits a byte stream into lines without decoding: each line is a view into the chunk it came
 * from (a copy only for a line that spans chunks). '\n' and '\r\n' both end a line; a last line
 * without a newline is still a line. `onBytes` reports progress as chunks are consumed.
 */
export async function* readLines(input: Readable, onBytes?: (n: number) => void): AsyncGenerator<Buffer> {
  // Pieces of a line that spans chunks; joined once when its end arrives.
  let carry: Buffer[] = [];
  for await (const raw of input) {
    const chunk: Buffer = typeof raw === 'string' ? Buffer.from(raw) : raw;
    onBytes?.(chunk.length);
    let start = 0;
    let nl = chunk.indexOf(NL);
    if (carry.length > 0) {
      if (nl === -1) { carry.push(chunk); continue; }
      carry.push(chunk.subarray(0, nl));
      const line = Buffer.concat(carry);
      carry = [];
      yield trimCr(line);
      start = nl + 1;
      nl = chunk.indexOf(NL, start);
    }
    while (nl !== -1) {
      yield trimCr(chunk.subarray(start, nl));
      start = nl + 1;
      nl = chunk.indexOf(NL, start);
    }
    if (start < chunk.length) carry.push(chunk.subarray(start));
  }
  if (carry.length > 0) yield trimCr(Buffer.concat(carry));
}

function trimCr(line: Buffer): Buffer {
  return line.length > 0 && line[line.length - 1] === CR ? line.subarray(0, line.length - 1) : line;
}
