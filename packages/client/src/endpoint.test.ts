import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { EddyError } from '@eddy/protocol';
import { parseEndpoint, formatEndpoint, DEFAULT_PORT } from './endpoint.ts';

test('parses host:port, bare host, IPv6 forms', () => {
  assert.deepEqual(parseEndpoint('127.0.0.1:9003'), { host: '127.0.0.1', port: 9003 });
  assert.deepEqual(parseEndpoint(' example.com:1 '), { host: 'example.com', port: 1 });
  assert.deepEqual(parseEndpoint('localhost'), { host: 'localhost', port: DEFAULT_PORT });
  assert.deepEqual(parseEndpoint('[::1]:9010'), { host: '::1', port: 9010 });
  assert.deepEqual(parseEndpoint('[::1]'), { host: '::1', port: DEFAULT_PORT });
  assert.deepEqual(parseEndpoint('fe80::1'), { host: 'fe80::1', port: DEFAULT_PORT });
});

test('rejects bad endpoints with a one-line error naming the input', () => {
  for (const bad of ['', ':9003', 'host:', 'host:0', 'host:65536', 'host:12a', '[::1', '[::1]x', 'a b:1', 'h:-1']) {
    assert.throws(() => parseEndpoint(bad), (e: unknown) => {
      assert.ok(e instanceof EddyError);
      assert.ok(e.message.includes(`'${bad}'`), e.message);
      assert.ok(!e.message.includes('\n'));
      assert.equal(e.retriable, false);
      return true;
    });
  }
});

test('format then parse round trips; parse never throws anything but EddyError', () => {
  const host = fc.oneof(
    fc.domain(),
    fc.ipV4(),
    fc.ipV6(),
  );
  fc.assert(fc.property(host, fc.integer({ min: 1, max: 65535 }), (h, port) => {
    const e = { host: h, port };
    assert.deepEqual(parseEndpoint(formatEndpoint(e)), e);
  }));
  fc.assert(fc.property(fc.string({ maxLength: 30 }), (s) => {
    try { parseEndpoint(s); } catch (e) { assert.ok(e instanceof EddyError, String(e)); }
  }));
});
