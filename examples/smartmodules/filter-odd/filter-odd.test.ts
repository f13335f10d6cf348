import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ExampleRunner } from '../harness.ts';

test('filter-odd drops odd numbers and keeps even ones', async () => {
  const sm = await ExampleRunner.open('filter-odd');
  try {
    const out = await sm.run(['1', '2', '3', '4', '-6', '0', '9007199254740993']);
    assert.equal(out.error, undefined);
    assert.deepEqual(out.values, ['2', '4', '-6', '0']);
  } finally {
    await sm.close();
  }
});

test('filter-odd reports a non-integer as an error at its offset, after the records before it', async () => {
  const sm = await ExampleRunner.open('filter-odd');
  try {
    const out = await sm.run(['2', '4', 'four', '6'], 50);
    assert.deepEqual(out.values, ['2', '4']);
    assert.ok(out.error, 'expected an error');
    assert.equal(out.error.offset, 52);
    assert.equal(out.error.kind, 'filter');
    assert.match(out.error.hint, /invalid integer in record value: "four"/);
    assert.equal(Buffer.from(out.error.recordValue).toString(), 'four');
    assert.equal(out.error.recordKey, null);
  } finally {
    await sm.close();
  }
});
