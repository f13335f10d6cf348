import { ErrorCode, errorCodeName, isRetriable } from './error_code.ts';

/**
 * The one error type that crosses the wire: a code, a one-line message, and whether a retry can
 * succeed (kafkajs-style). Subclasses exist for the codes callers commonly branch on.
 */
export class EddyError extends Error {
  readonly code: number;
  readonly retriable: boolean;

  constructor(code: number, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.retriable = isRetriable(code);
    this.name = `${errorCodeName(code)}Error`;
  }
}

export class UnknownTopicError extends EddyError {
  constructor(topic: string) { super(ErrorCode.UnknownTopic, `unknown topic '${topic}'`); }
}

/**
 * The one wording of an out-of-range offset, exact about the bounds: the high watermark is the
 * next offset to be written, not one held. `where` names the log ("partition t/0").
 *   offset 10 is out of range: the log holds offsets 4700 to 4999 (next offset 5000)
 *   offset 10 is out of range: the log is empty (next offset 5000)
 */
export function offsetOutOfRangeMessage(offset: number, logStartOffset: number, highWatermark: number, where = 'the log'): string {
  const held = highWatermark > logStartOffset
    ? `${where} holds offsets ${logStartOffset} to ${highWatermark - 1}`
    : `${where} is empty`;
  return `offset ${offset} is out of range: ${held} (next offset ${highWatermark})`;
}

export class OffsetOutOfRangeError extends EddyError {
  readonly logStartOffset: number;
  readonly highWatermark: number;
  constructor(offset: number, logStartOffset: number, highWatermark: number) {
    super(ErrorCode.OffsetOutOfRange, offsetOutOfRangeMessage(offset, logStartOffset, highWatermark));
    this.logStartOffset = logStartOffset;
    this.highWatermark = highWatermark;
  }
}

/** Builds the most specific error for a code received on the wire. */
export function errorFromCode(code: number, message: string | null | undefined): EddyError {
  return new EddyError(code, message || errorCodeName(code));
}
