import { ErrorCode } from '@eddy/protocol';
import type { StatusResponse } from '@eddy/protocol';

/** The answer of every api that reports only success: one shared body (encoding only reads it). */
export const OK: StatusResponse = { errorCode: ErrorCode.None, errorMessage: null };
