// The records `smdk test` feeds the module, read the way Fluvio's smdk does: --text is one
// record, --file and --stdin give one record per line unless --raw makes the whole input one.
import fs from 'node:fs';
import { SmdkError, fileProblem } from './errors.ts';

export type TestInputSource =
  | { kind: 'text'; text: string }
  | { kind: 'file'; path: string; raw: boolean }
  | { kind: 'stdin'; raw: boolean };

/** Lines without their terminators ("\n" or "\r\n"); a final newline does not add an empty record. */
export function splitLines(data: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let start = 0;
  while (start < data.length) {
    let nl = data.indexOf(0x0a, start);
    if (nl < 0) nl = data.length;
    let end = nl;
    if (end > start && data[end - 1] === 0x0d) end--;
    out.push(data.subarray(start, end));
    start = nl + 1;
  }
  return out;
}

/** Reads the input's record values. `stdin` is injectable for tests. */
export async function readTestValues(src: TestInputSource, stdin: NodeJS.ReadableStream = process.stdin): Promise<Buffer[]> {
  switch (src.kind) {
    case 'text':
      return [Buffer.from(src.text, 'utf8')];
    case 'file': {
      let data: Buffer;
      try {
        data = fs.readFileSync(src.path);
      } catch (err) {
        throw new SmdkError(`cannot read test file '${src.path}': ${fileProblem(err)}`);
      }
      return src.raw ? [data] : splitLines(data);
    }
    case 'stdin': {
      const chunks: Buffer[] = [];
      for await (const chunk of stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
      const data = Buffer.concat(chunks);
      return src.raw ? [data] : splitLines(data);
    }
  }
}
