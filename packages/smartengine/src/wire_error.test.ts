// The one wording and the one wire mapping of SmartModule failures (broker and client use both).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EddyError, ErrorCode } from '@eddy/protocol';
import {
  SmartModuleClosedError, SmartModuleInitError, SmartModuleLoadError, SmartModuleRuntimeError, SmartModuleTrapError,
  smartModuleMessage,
} from './errors.ts';
import { SmartModuleFailure, errorInfo, toWireError } from './wire_error.ts';

const rejected = new SmartModuleRuntimeError('evens', {
  hint: 'not a number: "x"\nmore detail',
  offset: 2,
  kindCode: 0,
  recordKey: null,
  recordValue: Buffer.from('x'),
});

test('a record error reads the same from the engine, the wire info and with a place', () => {
  assert.equal(rejected.message, 'SmartModule "evens" (filter) failed at offset 2: not a number: "x"');
  const info = errorInfo(rejected);
  assert.equal(smartModuleMessage(info), rejected.message);
  assert.equal(smartModuleMessage(rejected, "'t' partition 0"), `SmartModule "evens" (filter) failed at offset 2 in 't' partition 0: not a number: "x"`);
  assert.equal(smartModuleMessage(info, "'t' partition 0"), smartModuleMessage(rejected, "'t' partition 0"));
});

test('other engine errors keep their message and name the place after it', () => {
  const trap = new SmartModuleTrapError('crash', 'unreachable');
  assert.equal(smartModuleMessage(trap), 'SmartModule "crash" trapped: unreachable');
  assert.equal(smartModuleMessage(trap, "'t' partition 1"), `SmartModule "crash" trapped: unreachable (in 't' partition 1)`);
  assert.equal(smartModuleMessage(new Error('boom\nstack'), "'t' partition 1"), `SmartModule chain failed in 't' partition 1: boom`);
});

test('toWireError: one code per engine error, retriable only for a closed engine', () => {
  const failure = toWireError(rejected, "'t' partition 0");
  assert.ok(failure instanceof SmartModuleFailure);
  assert.equal(failure.code, ErrorCode.SmartModuleRuntime);
  assert.equal(failure.smartModuleError.offset, 2);
  assert.deepEqual(failure.smartModuleError.recordValue, Buffer.from('x'));
  assert.match(failure.message, /^SmartModule "evens" \(filter\) failed at offset 2 in 't' partition 0: /);

  assert.equal(toWireError(new SmartModuleLoadError('junk', 'not wasm')).code, ErrorCode.SmartModuleInvalid);
  const init = toWireError(new SmartModuleInitError('p', 'missing param: key'));
  assert.equal(init.code, ErrorCode.SmartModuleInit);
  assert.equal(init.message, 'SmartModule "p" init failed: missing param: key');
  assert.equal(toWireError(new SmartModuleTrapError('crash', 'unreachable')).code, ErrorCode.SmartModuleRuntime);

  // A broker whose engine closes is shutting down: clients must retry.
  const closed = toWireError(new SmartModuleClosedError('SmartModule engine'));
  assert.equal(closed.code, ErrorCode.BrokerShuttingDown);
  assert.equal(closed.retriable, true);
  assert.equal(closed.message, 'SmartModules are shutting down: SmartModule engine is closed');

  const wire = new EddyError(ErrorCode.NotLeader, 'elsewhere');
  assert.equal(toWireError(wire), wire);
  const other = toWireError(new TypeError('bad input'));
  assert.equal(other.code, ErrorCode.SmartModuleRuntime);
  assert.equal(other.message, 'SmartModule chain failed: bad input');
});
