// Typed errors of the SmartModule engine, and the one sentence every layer (engine, broker,
// client) uses for them. Every message is one line and names the module.
import { kindName, type SmartModuleKindName } from './abi.ts';

export type SmartModuleErrorCode =
  | 'LOAD'
  | 'INIT'
  | 'RUNTIME'
  | 'LOOK_BACK'
  | 'TIMEOUT'
  | 'MEMORY'
  | 'TRAP'
  | 'ABI'
  | 'CLOSED';

function oneLine(text: string): string {
  const line = text.split('\n').find((l) => l.trim() !== '') ?? '';
  return line.trim();
}

/** Base class: `moduleName` is the spec's name (or '' when the error is not about one module). */
export class SmartModuleError extends Error {
  readonly moduleName: string;
  readonly code: SmartModuleErrorCode;
  constructor(code: SmartModuleErrorCode, moduleName: string, message: string) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    this.moduleName = moduleName;
  }
}

/** Not WebAssembly, not a SmartModule (bad exports), unknown import, bad spec. */
export class SmartModuleLoadError extends SmartModuleError {
  constructor(moduleName: string, detail: string) {
    super('LOAD', moduleName, `SmartModule "${moduleName}" cannot be loaded: ${oneLine(detail)}`);
  }
}

/** `init` refused its parameters; `hint` is the module's own text, meant for the user. */
export class SmartModuleInitError extends SmartModuleError {
  readonly hint: string;
  constructor(moduleName: string, hint: string) {
    super('INIT', moduleName, `SmartModule "${moduleName}" init failed: ${oneLine(hint)}`);
    this.hint = hint;
  }
}

/** A record the module rejected (Fluvio's SmartModuleTransformRuntimeError). */
export class SmartModuleRuntimeError extends SmartModuleError {
  readonly hint: string;
  readonly offset: number;
  readonly kind: SmartModuleKindName | 'unknown';
  /** The u8 tag Fluvio encodes for `kind` (0 filter, 1 map, 2 array_map, 3 aggregate, 4 filter_map, 5 join, 6 generic). */
  readonly kindCode: number;
  readonly recordKey: Uint8Array | null;
  readonly recordValue: Uint8Array;
  constructor(
    moduleName: string,
    fields: { hint: string; offset: number; kindCode: number; recordKey: Uint8Array | null; recordValue: Uint8Array },
  ) {
    const kind = kindName(fields.kindCode);
    super('RUNTIME', moduleName, recordFailureMessage(moduleName, kind, fields.offset, fields.hint));
    this.hint = fields.hint;
    this.offset = fields.offset;
    this.kind = kind;
    this.kindCode = fields.kindCode;
    this.recordKey = fields.recordKey;
    this.recordValue = fields.recordValue;
  }
}

/** `look_back` rejected one of the records it was fed. */
export class SmartModuleLookBackError extends SmartModuleError {
  readonly hint: string;
  readonly offset: number;
  readonly recordKey: Uint8Array | null;
  readonly recordValue: Uint8Array;
  constructor(
    moduleName: string,
    fields: { hint: string; offset: number; recordKey: Uint8Array | null; recordValue: Uint8Array },
  ) {
    super('LOOK_BACK', moduleName, `SmartModule "${moduleName}" look-back failed at offset ${fields.offset}: ${oneLine(fields.hint)}`);
    this.hint = fields.hint;
    this.offset = fields.offset;
    this.recordKey = fields.recordKey;
    this.recordValue = fields.recordValue;
  }
}

export class SmartModuleTimeoutError extends SmartModuleError {
  readonly budgetMs: number;
  constructor(moduleName: string, budgetMs: number) {
    super('TIMEOUT', moduleName, `SmartModule "${moduleName}" did not return within its time budget of ${budgetMs} ms`);
    this.budgetMs = budgetMs;
  }
}

export class SmartModuleMemoryError extends SmartModuleError {
  readonly limitBytes: number;
  constructor(moduleName: string, limitBytes: number, detail?: string) {
    const mib = (limitBytes / (1024 * 1024)).toFixed(limitBytes % (1024 * 1024) === 0 ? 0 : 1);
    super('MEMORY', moduleName, `SmartModule "${moduleName}" exceeded its memory limit of ${mib} MiB${detail ? `: ${oneLine(detail)}` : ''}`);
    this.limitBytes = limitBytes;
  }
}

/** The module trapped (unreachable, out-of-bounds access, stack overflow, proc_exit...). */
export class SmartModuleTrapError extends SmartModuleError {
  constructor(moduleName: string, detail: string) {
    super('TRAP', moduleName, `SmartModule "${moduleName}" trapped: ${oneLine(detail)}`);
  }
}

/** The module broke the ABI: a negative status code, or output that does not decode. */
export class SmartModuleAbiError extends SmartModuleError {
  /** The negative code the entry point returned, or 0 when the output was malformed. */
  readonly status: number;
  constructor(moduleName: string, status: number, detail: string) {
    super('ABI', moduleName, `SmartModule "${moduleName}" ${oneLine(detail)}${status < 0 ? ` (code ${status})` : ''}`);
    this.status = status;
  }
}

/** The chain or the engine was closed while a call was pending or after. */
export class SmartModuleClosedError extends SmartModuleError {
  constructor(what: string) {
    super('CLOSED', '', `${what} is closed`);
  }
}

/** What a record error says wherever it is reported: the engine's error, or the wire's SmartModuleErrorInfo. */
export interface RecordFailure {
  moduleName: string;
  kind: string;
  offset: number;
  hint: string;
}

function recordFailureMessage(moduleName: string, kind: string, offset: number, hint: string, where?: string): string {
  return `SmartModule "${moduleName}" (${kind}) failed at offset ${offset}${where ? ` in ${where}` : ''}: ${oneLine(hint)}`;
}

function isRecordFailure(err: unknown): err is RecordFailure {
  if (err instanceof SmartModuleError) return err instanceof SmartModuleRuntimeError;
  const f = err as Partial<RecordFailure> | null;
  return typeof f === 'object' && f !== null && !(f instanceof Error) && typeof f.moduleName === 'string' && typeof f.offset === 'number' && typeof f.hint === 'string';
}

/**
 * The one-line message for a SmartModule failure, the same in the engine, the broker and the
 * client. `where` names what was being processed ("'t' partition 0", "a batch for 't' partition
 * 0"); the record's `offset` is as the reporter knows it (a stored offset, or the record's index
 * in a produced batch). A record error reads
 *   SmartModule "m" (filter) failed at offset 2 in 't' partition 0: <first line of the hint>
 * any other engine error is its own message, with `(in <where>)` after it.
 */
export function smartModuleMessage(err: unknown, where?: string): string {
  if (isRecordFailure(err)) return recordFailureMessage(err.moduleName, err.kind, err.offset, err.hint, where);
  const at = where ? ` (in ${where})` : '';
  if (err instanceof SmartModuleError) return `${err.message}${at}`;
  return `SmartModule chain failed${where ? ` in ${where}` : ''}: ${oneLine(err instanceof Error ? err.message : String(err))}`;
}
