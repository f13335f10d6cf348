import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ExampleRunner } from '../harness.ts';

const logs = [
  '{"level":"info","message":"Server listening on 0.0.0.0:8000"}',
  '{"level":"debug","message":"Deserializing request from client"}',
  '{ "message": "Client dropped connection", "level" : "warn" }',
  '{"level":"debug","message":"Connecting to database"}',
  '{"level":"error","message":"Unable to connect to database","extra":{"a":[1,2,{"b":null}]}}',
];

test('filter-json keeps info, warn and error logs and drops debug', async () => {
  const sm = await ExampleRunner.open('filter-json');
  try {
    const out = await sm.run(logs);
    assert.equal(out.error, undefined);
    assert.deepEqual(out.values, [logs[0], logs[2], logs[4]]);
  } finally {
    await sm.close();
  }
});

test('filter-json turns malformed JSON and unknown levels into errors with the offset', async () => {
  const sm = await ExampleRunner.open('filter-json');
  try {
    const bad = await sm.run([logs[0], '{"level":"info",}'], 10);
    assert.deepEqual(bad.values, [logs[0]]);
    assert.equal(bad.error?.offset, 11);
    assert.match(bad.error?.hint ?? '', /invalid JSON: expected a string key at byte 16/);
    const unknown = await sm.run(['{"level":"fatal"}'], 20);
    assert.equal(unknown.error?.offset, 20);
    assert.equal(unknown.error?.hint, 'unknown log level "fatal"');
    const noLevel = await sm.run(['[1,2]']);
    assert.equal(noLevel.error?.hint, 'log line has no string "level"');
  } finally {
    await sm.close();
  }
});
