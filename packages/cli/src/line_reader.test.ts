import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { readLines } from './line_reader.ts';

async function collect(chunks: Buffer[]): Promise<string[]> {
  const out: string[] = [];
  for await (const line of readLines(Readable.from(chunks))) out.push(line.toString('latin1'));
  return out;
}

test('lines split at any chunk boundary equal a plain split', async () => {
  await fc.assert(fc.asyncProperty(
    fc.array(fc.string({ unit: fc.constantFrom('a', 'b', '\n', '\r', 'é', ':') , maxLength: 12 }), { maxLength: 8 }),
    async (pieces) => {
      const text = pieces.join('');
      const bytes = Buffer.from(text, 'latin1');
      const chunks = pieces.map((p) => Buffer.from(p, 'latin1')).filter((b) => b.length > 0);
      let expected = text.split('\n');
      if (expected[expected.length - 1] === '') expected.pop();
      expected = expected.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
      assert.deepEqual(await collect(chunks), expected);
      assert.deepEqual(await collect([bytes]), expected);
    },
  ));
});

test('reports bytes consumed', async () => {
  let n = 0;
  for await (const _ of readLines(Readable.from([Buffer.from('ab\ncd'), Buffer.from('e\n')]), (b) => { n += b; })) void _;
  assert.equal(n, 7);
});
