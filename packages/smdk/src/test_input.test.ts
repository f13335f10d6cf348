import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readTestValues, splitLines } from './test_input.ts';
import { paramsRecord, parseParam } from './params.ts';
import { SmdkError } from './errors.ts';

const strings = (b: Buffer[]) => b.map((x) => x.toString());

test('lines as Fluvio reads them: no terminators, blank lines kept, no record after a final newline', () => {
  assert.deepEqual(strings(splitLines(Buffer.from('a\r\nb\n\nc\n'))), ['a', 'b', '', 'c']);
  assert.deepEqual(strings(splitLines(Buffer.from('last'))), ['last']);
  assert.deepEqual(strings(splitLines(Buffer.alloc(0))), []);
});

test('--file is one record per line, --raw the whole file; --stdin the same', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'smdk-input-'));
  try {
    const f = path.join(dir, 'in.txt');
    fs.writeFileSync(f, '1\n2\n');
    assert.deepEqual(strings(await readTestValues({ kind: 'file', path: f, raw: false })), ['1', '2']);
    assert.deepEqual(strings(await readTestValues({ kind: 'file', path: f, raw: true })), ['1\n2\n']);
    await assert.rejects(readTestValues({ kind: 'file', path: path.join(dir, 'nope'), raw: false }), /cannot read test file '.*nope': no such file/);
    assert.deepEqual(strings(await readTestValues({ kind: 'stdin', raw: false }, Readable.from([Buffer.from('x\ny'), Buffer.from('z\n')]))), ['x', 'yz']);
    assert.deepEqual(strings(await readTestValues({ kind: 'stdin', raw: true }, Readable.from([Buffer.from('x\ny\n')]))), ['x\ny\n']);
    assert.deepEqual(strings(await readTestValues({ kind: 'text', text: 'héllo' })), ['héllo']);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('-e key=value splits at the first =', () => {
  assert.deepEqual(parseParam('a=b=c'), ['a', 'b=c']);
  assert.deepEqual(parseParam('k='), ['k', '']);
  assert.deepEqual(paramsRecord(['a=1', 'b=2', 'a=3']), { a: '3', b: '2' });
  assert.throws(() => parseParam('novalue'), (e: unknown) => e instanceof SmdkError && /expected key=value/.test(e.message));
  assert.throws(() => parseParam('=v'), /key before '=' is empty/);
});
