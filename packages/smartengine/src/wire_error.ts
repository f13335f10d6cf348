// How SmartModule engine errors become wire errors (EddyError codes): one mapping for the broker
// (what it answers a stream or a produce request) and for clients' local chains (what the
// application gets), so a failure reads and branches the same wherever the chain ran. A record a
// module rejected travels as SmartModuleErrorInfo with the record's offset, key and value.

import { EddyError, ErrorCode } from '@eddy/protocol';
import type { SmartModuleErrorInfo } from '@eddy/protocol';
import {
  SmartModuleClosedError, SmartModuleInitError, SmartModuleLoadError, SmartModuleRuntimeError,
  smartModuleMessage,
} from './errors.ts';

/** A record a module rejected, as a wire error: `smartModuleError` is what the response carries. */
export class SmartModuleFailure extends EddyError {
  readonly smartModuleError: SmartModuleErrorInfo;
  constructor(info: SmartModuleErrorInfo, where?: string, options?: { cause?: unknown }) {
    super(ErrorCode.SmartModuleRuntime, smartModuleMessage(info, where), options);
    this.smartModuleError = info;
  }
}

/** The record error's fields as they go on the wire. */
export function errorInfo(err: SmartModuleRuntimeError): SmartModuleErrorInfo {
  return {
    moduleName: err.moduleName,
    kind: err.kind,
    hint: err.hint,
    offset: err.offset,
    recordKey: err.recordKey ? asBuffer(err.recordKey) : null,
    recordValue: asBuffer(err.recordValue),
  };
}

/**
 * Maps anything a chain throws to its wire error, with smartModuleMessage's wording (`where`
 * names the stream or batch, when the caller knows it): a record a module rejected is a
 * SmartModuleFailure (SmartModuleRuntime), a module that is not valid wasm SmartModuleInvalid,
 * a refused init SmartModuleInit, time-outs, traps, memory, look-back and ABI violations
 * SmartModuleRuntime. EddyErrors pass through.
 *
 * An engine (or chain) closed under a call is BrokerShuttingDown, which is retriable: an engine
 * closes only when the process owning it shuts down. On the broker the client must then retry
 * (reconnect and resume), which StreamClosed, not retriable, would forbid. In a client the local
 * chain's failure ends its stream or batch without consulting `retriable`, so there the code only
 * tells the application that the SmartModule runtime was shut down.
 */
export function toWireError(err: unknown, where?: string): EddyError {
  if (err instanceof EddyError) return err;
  if (err instanceof SmartModuleRuntimeError) return new SmartModuleFailure(errorInfo(err), where, { cause: err });
  const message = smartModuleMessage(err, where);
  if (err instanceof SmartModuleLoadError) return new EddyError(ErrorCode.SmartModuleInvalid, message, { cause: err });
  if (err instanceof SmartModuleInitError) return new EddyError(ErrorCode.SmartModuleInit, message, { cause: err });
  if (err instanceof SmartModuleClosedError) return new EddyError(ErrorCode.BrokerShuttingDown, `SmartModules are shutting down: ${message}`, { cause: err });
  return new EddyError(ErrorCode.SmartModuleRuntime, message, { cause: err });
}

function asBuffer(u: Uint8Array): Buffer {
  return Buffer.isBuffer(u) ? u : Buffer.from(u.buffer, u.byteOffset, u.byteLength);
}
