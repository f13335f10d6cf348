import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EddyError, ErrorCode } from '@eddy/protocol';
import { errorLine, fileProblem, isUnreachable, systemErrorCode, CliError, ClusterUnreachableError } from './errors.ts';
import { ParseError } from './parse/parse_error.ts';

test('every error becomes exactly one line starting with "error: "', () => {
  const cases: unknown[] = [
    new CliError('bad thing'),
    new ParseError('bad value'),
    new EddyError(ErrorCode.UnknownTopic, "unknown topic 'x'"),
    new Error('first line\n  second line\n'),
    Object.assign(new Error("ENOENT: no such file or directory, open 'f'"), { code: 'ENOENT' }),
    'a string',
    42,
  ];
  for (const c of cases) {
    const line = errorLine(c);
    assert.match(line, /^error: \S/);
    assert.ok(!line.includes('\n'), line);
  }
  assert.equal(errorLine(new Error('a\nb')), 'error: a; b');
  assert.equal(errorLine(new ClusterUnreachableError('127.0.0.1:9003')),
    "error: cannot reach the cluster at 127.0.0.1:9003 (is it running? try 'eddy cluster start')");
});

test('connection failures are found through causes and aggregate errors', () => {
  const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
  assert.equal(isUnreachable(refused), true);
  assert.equal(isUnreachable(new EddyError(ErrorCode.BrokerUnavailable, 'cannot connect', { cause: refused })), true);
  assert.equal(isUnreachable(new AggregateError([new Error('x'), refused])), true);
  assert.equal(systemErrorCode(new Error('plain')), undefined);
  assert.equal(isUnreachable(new EddyError(ErrorCode.UnknownTopic, 'nope')), false);
  assert.equal(isUnreachable(Object.assign(new Error('x'), { code: 'ENOENT' })), false);
});

test('"is it running?" only when the connection was refused; other causes name their own fix', () => {
  const line = (code: string) => errorLine(new ClusterUnreachableError('db.example:9003', code));
  assert.equal(line('ECONNREFUSED'), "error: cannot reach the cluster at db.example:9003 (is it running? try 'eddy cluster start')");
  assert.equal(line('ENOTFOUND'), "error: cannot reach the cluster at db.example:9003: unknown host 'db.example' (check --endpoint or the profile: 'eddy profile list')");
  assert.equal(line('EAI_AGAIN'), "error: cannot reach the cluster at db.example:9003: could not look up 'db.example' (DNS did not answer; check the network)");
  assert.equal(line('ETIMEDOUT'), 'error: cannot reach the cluster at db.example:9003: the connection timed out (check the address and any firewall)');
});

test('a record over the topic maximum suggests --max-record-size', () => {
  assert.equal(errorLine(new EddyError(ErrorCode.RecordTooLarge, "a batch of 2000000 bytes exceeds topic 'big' max record size of 1048576 bytes")),
    "error: a batch of 2000000 bytes exceeds topic 'big' max record size of 1048576 bytes (the limit is the topic's, set at creation: recreate it with a larger --max-record-size, e.g. 'eddy topic create big --max-record-size 4MB')");
});

test('a module that cannot decode the base input is told to try an older ABI version', () => {
  const err = new EddyError(ErrorCode.SmartModuleRuntime, 'SmartModule "old-filter" failed to decode SmartModule base input (code -11)');
  assert.equal(errorLine(err),
    `error: SmartModule "old-filter" failed to decode SmartModule base input (code -11) (the module was likely built for an older SmartModule ABI: call it with an older version, e.g. 'version: 22' in a transforms file (-t FILE) or --transforms-line '{"uses":"old-filter","version":22}')`);
});

test('a file that cannot be read is named by what the user can fix, without the errno prefix', () => {
  const dir = mkdtempSync(join(tmpdir(), 'eddy-file-problem-'));
  const why = (f: () => unknown): string => {
    try {
      f();
    } catch (err) {
      return fileProblem(err);
    }
    return 'read';
  };
  try {
    assert.equal(why(() => readFileSync(join(dir, 'missing'))), 'no such file');
    assert.equal(why(() => readFileSync(dir)), 'it is a directory');
    assert.equal(fileProblem(Object.assign(new Error("EACCES: permission denied, open 'f'"), { code: 'EACCES' })), 'permission denied');
    assert.equal(fileProblem(Object.assign(new Error('EMFILE: too many open files'), { code: 'EMFILE' })), 'EMFILE: too many open files');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
