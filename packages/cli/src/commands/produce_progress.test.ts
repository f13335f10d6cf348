import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { ProduceProgress } from './produce_progress.ts';

function capture(): { out: PassThrough; text: () => string } {
  const out = new PassThrough();
  let text = '';
  out.on('data', (b: Buffer) => { text += b.toString(); });
  return { out, text: () => text };
}

test('live: a count redrawn in place, cleared before a notice and at the end', async () => {
  const c = capture();
  const p = new ProduceProgress(c.out, true);
  p.records = 1500;
  p.bytes = 3000;
  await new Promise((r) => setTimeout(r, 400));
  p.retrying(1, 10, new Error('connection to 127.0.0.1:9003 closed'));
  p.retrying(1, 10, new Error('again: the same round'));
  p.retrying(2, 10, new Error('still closed'));
  await new Promise((r) => setTimeout(r, 300));
  p.stop();
  const text = c.text();
  assert.match(text, /^\r\x1b\[K1500 records, 3 KB, [\d.]+ records\/s/);
  assert.ok(text.includes('\r\x1b[Kretrying 1/10: connection to 127.0.0.1:9003 closed\n'), JSON.stringify(text));
  assert.ok(!text.includes('the same round'), 'one notice per attempt number');
  assert.ok(text.includes('retrying 2/10: still closed\n'));
  assert.ok(text.endsWith('\r\x1b[K'), 'the live count is removed at the end');
});

test('not a terminal: nothing drawn; the summary names records, bytes and seconds', async () => {
  const c = capture();
  const p = new ProduceProgress(c.out, false);
  p.records = 2;
  p.bytes = 10;
  await new Promise((r) => setTimeout(r, 300));
  p.stop();
  assert.equal(c.text(), '');
  assert.match(p.summary(), /^produced 2 records \(10 B\) in \d+\.\ds \(\d+(\.\d)? records\/s\)$/);
  assert.equal(new ProduceProgress(c.out, false).summary(), 'produced 0 records (0 B) in 0.0s');
});
