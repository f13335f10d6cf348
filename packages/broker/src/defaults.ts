// The broker's tunables in one place: defaults of its options and the limits its server works
// within. Values only (no imports but protocol's): any broker module may read them. The client
// port (9003) and the version string are kept apart (they are shared with other packages).
import { DEFAULT_MAX_FRAME_BYTES } from '@eddy/protocol';

// ---- listening --------------------------------------------------------------------------------

/** Interface the client and metrics ports bind to. */
export const DEFAULT_HOST = '127.0.0.1';
/** Prometheus `/metrics` port (-1 disables it). */
export const DEFAULT_METRICS_PORT = 9004;

// ---- framing ----------------------------------------------------------------------------------

/** Largest request frame accepted (the protocol's default, shared with clients). */
export { DEFAULT_MAX_FRAME_BYTES };
/** The smallest maxFrameBytes a broker may be configured with. */
export const MIN_MAX_FRAME_BYTES = 1024;
/** Longest a request frame may take from its first byte to its last (0: no limit). */
export const DEFAULT_FRAME_TIMEOUT_MS = 30_000;
/** Bounds of the period of the server's sweep for stalled frames (a quarter of the timeout). */
export const FRAME_SWEEP_MIN_MS = 10;
export const FRAME_SWEEP_MAX_MS = 1000;

// ---- backpressure -----------------------------------------------------------------------------

/** High watermark: a client may pipeline this many request bytes (or one largest frame) before its socket is no longer read. */
export const MIN_INFLIGHT_BYTES = 64 * 1024 * 1024;
/** Low watermark, as a share of the high one: reading resumes once in-flight bytes fall below it. */
export const INFLIGHT_RESUME_RATIO = 0.5;

// ---- closing ----------------------------------------------------------------------------------

/** How long a connection closed for bad input may take to flush its error response. */
export const CLOSE_GRACE_MS = 2000;
/** How long a connection's in-flight requests may take to answer at shutdown before it is destroyed. */
export const CONNECTION_SHUTDOWN_MS = 5000;

// ---- error reporting --------------------------------------------------------------------------

/** Longest error message sent to a client (longer ones are clipped). */
export const MAX_ERROR_MESSAGE_CHARS = 1000;
/** Longest client-caused error message written to the log. */
export const MAX_LOGGED_ERROR_CHARS = 200;
