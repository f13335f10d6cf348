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

export class OffsetOutOfRangeError extends EddyError {
  readonly logStartOffset: number;
  readonly highWatermark: number;
  constructor(offset: number, logStartOffset: number, highWatermark: number) {
    super(ErrorCode.OffsetOutOfRange, `offset ${offset} is out of range: the log holds offsets ${logStartOffset} to ${highWatermark}`);
    this.logStartOffset = logStartOffset;
    this.highWatermark = highWatermark;
  }
}

/** Builds the most specific error for a code received on the wire. */
export function errorFromCode(code: number, message: string | null | undefined): EddyError {
  return new EddyError(code, message || errorCodeName(code));
}
