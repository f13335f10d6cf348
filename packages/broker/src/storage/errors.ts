// Typed errors raised by the storage layer. Each carries a stable `code` so the SPU can map it to
// a protocol error without string matching. Names differ from protocol's wire errors
// (CorruptBatchError, OffsetOutOfRangeError) so one name means one class.
import { offsetOutOfRangeMessage } from '@eddy/protocol';

/** Base class of every error the storage layer throws on purpose. */
export class StorageError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** An appended buffer is not a sequence of complete, valid batches. Nothing was written. */
export class CorruptAppendError extends StorageError {
  /** Byte position of the offending batch inside the appended buffer. */
  readonly position: number;
  constructor(message: string, position: number) {
    super('CORRUPT_BATCH', message);
    this.position = position;
  }
}

/** A read or lookup asked for an offset outside [logStartOffset, highWatermark]. */
export class StorageOffsetOutOfRangeError extends StorageError {
  readonly offset: number;
  readonly logStartOffset: number;
  readonly highWatermark: number;
  constructor(offset: number, logStartOffset: number, highWatermark: number) {
    super('OFFSET_OUT_OF_RANGE', offsetOutOfRangeMessage(offset, logStartOffset, highWatermark));
    this.offset = offset;
    this.logStartOffset = logStartOffset;
    this.highWatermark = highWatermark;
  }
}

/** The log was closed (or is closing); open it again to use it. */
export class LogClosedError extends StorageError {
  constructor(dir: string) {
    super('LOG_CLOSED', `partition log ${dir} is closed`);
  }
}

/**
 * A write or sync failed (disk full, I/O error). The log stops accepting appends because its
 * in-memory state may be ahead of the file; reopening it runs recovery.
 */
export class LogFailedError extends StorageError {
  constructor(dir: string, cause: unknown) {
    super(
      'LOG_FAILED',
      `partition log ${dir} failed and must be reopened: ${cause instanceof Error ? cause.message : String(cause)}`,
      { cause },
    );
  }
}

/** Bytes on disk that recovery accepted turned out unreadable (e.g. changed behind our back). */
export class StorageCorruptionError extends StorageError {
  constructor(message: string) {
    super('STORAGE_CORRUPTION', message);
  }
}

/** A PartitionLogConfig value is unusable. */
export class InvalidConfigError extends StorageError {
  constructor(message: string) {
    super('INVALID_CONFIG', message);
  }
}

/**
 * A write failed and every append not yet acknowledged was undone: none of its records is stored.
 * The log stays open and the next append tries again, so a full disk (`diskFull`) heals by itself
 * once space is freed.
 */
export class LogWriteError extends StorageError {
  readonly diskFull: boolean;
  constructor(dir: string, cause: unknown) {
    const errno = (cause as NodeJS.ErrnoException | null)?.code;
    const diskFull = errno === 'ENOSPC' || errno === 'EDQUOT';
    super(
      diskFull ? 'DISK_FULL' : 'WRITE_FAILED',
      `partition log ${dir}: ${diskFull ? 'disk full' : 'write failed'}, nothing of the append was stored: ${cause instanceof Error ? cause.message : String(cause)}`,
      { cause },
    );
    this.diskFull = diskFull;
  }
}
