import { EddyError, ErrorCode, offsetOutOfRangeMessage } from '@eddy/protocol';
import {
  CorruptAppendError, LogClosedError, LogFailedError, LogWriteError, StorageError, StorageOffsetOutOfRangeError,
} from '../storage/index.ts';

/** Maps anything thrown below the SPU to the typed wire error a client sees. */
export function toEddyError(err: unknown): EddyError {
  if (err instanceof EddyError) return err;
  if (err instanceof StorageOffsetOutOfRangeError) {
    return new EddyError(ErrorCode.OffsetOutOfRange, offsetOutOfRangeMessage(err.offset, err.logStartOffset, err.highWatermark));
  }
  if (err instanceof CorruptAppendError) return new EddyError(ErrorCode.CorruptMessage, err.message);
  if (err instanceof LogClosedError) return new EddyError(ErrorCode.NotLeader, err.message);
  if (err instanceof LogWriteError && err.diskFull) return new EddyError(ErrorCode.StorageFull, err.message);
  if (err instanceof LogFailedError || err instanceof StorageError) return new EddyError(ErrorCode.StorageError, err.message);
  const message = err instanceof Error ? err.message : String(err);
  return new EddyError(ErrorCode.Unknown, message);
}
