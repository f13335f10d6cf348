// How SmartModule engine errors reach clients: as typed wire errors (EddyError codes) and, for a
// record a module rejected, as SmartModuleErrorInfo with the record's offset, key and value.

import { EddyError, ErrorCode } from '@eddy/protocol';
import type { SmartModuleErrorInfo } from '@eddy/protocol';
import {
  SmartModuleClosedError, SmartModuleError, SmartModuleInitError, SmartModuleLoadError, SmartModuleRuntimeError,
} from '@eddy/smartengine';

/** A SmartModule failure that carries the module's record error (the produce path reads `smartModuleError`). */
export class SmartModuleFailure extends EddyError {
  readonly smartModuleError: SmartModuleErrorInfo;
  constructor(info: SmartModuleErrorInfo) {
    super(ErrorCode.SmartModuleRuntime, runtimeMessage(info));
    this.smartModuleError = info;
  }
}

/** The one-line message a stream or producer gets for a record error. */
export function runtimeMessage(info: SmartModuleErrorInfo): string {
  const hint = info.hint.split('\n').find((l) => l.trim() !== '')?.trim() ?? '';
  return `SmartModule '${info.moduleName}' (${info.kind}) failed at offset ${info.offset}: ${hint}`;
}

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
 * Maps anything a chain throws to the wire error: a module that is not valid wasm is
 * SmartModuleInvalid, a refused init is SmartModuleInit (message carries the module's hint),
 * an engine closed under us is BrokerShuttingDown, and time-outs, traps, memory and ABI
 * violations are SmartModuleRuntime with the engine's one-line message naming the module.
 */
export function toWireError(err: unknown): EddyError {
  if (err instanceof EddyError) return err;
  if (err instanceof SmartModuleRuntimeError) return new SmartModuleFailure(errorInfo(err));
  if (err instanceof SmartModuleLoadError) return new EddyError(ErrorCode.SmartModuleInvalid, err.message, { cause: err });
  if (err instanceof SmartModuleInitError) return new EddyError(ErrorCode.SmartModuleInit, err.message, { cause: err });
  if (err instanceof SmartModuleClosedError) return new EddyError(ErrorCode.BrokerShuttingDown, 'SmartModules are shutting down with the broker', { cause: err });
  if (err instanceof SmartModuleError) return new EddyError(ErrorCode.SmartModuleRuntime, err.message, { cause: err });
  const message = err instanceof Error ? err.message : String(err);
  return new EddyError(ErrorCode.SmartModuleRuntime, `SmartModule processing failed: ${message}`, { cause: err });
}

function asBuffer(u: Uint8Array): Buffer {
  return Buffer.isBuffer(u) ? u : Buffer.from(u.buffer, u.byteOffset, u.byteLength);
}
