// The broker's tunables in one place: defaults of its options and the limits its server works
// within. Values only (no imports but protocol's): any broker module may read them. The client
// and metrics ports and the version string are protocol's (every package shares them).
import { DEFAULT_MAX_FRAME_BYTES, DEFAULT_METRICS_PORT, DEFAULT_PORT } from '@eddy/protocol';

// ---- listening --------------------------------------------------------------------------------

/** Interface the client and metrics ports bind to. */
export const DEFAULT_HOST = '127.0.0.1';
/** The client port, and the Prometheus `/metrics` port (-1 disables it). */
export { DEFAULT_PORT, DEFAULT_METRICS_PORT };

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

// ---- SPU and streams --------------------------------------------------------------------------

/** Id of the broker's local SPU. */
export const DEFAULT_SPU_ID = 5001;
/** How often retention deletes expired or excess segments (0 disables it). */
export const DEFAULT_RETENTION_CHECK_MS = 60_000;
/** Record bytes per StreamFetch response when the request asks for none in particular. */
export const DEFAULT_FETCH_MAX_BYTES = 1024 * 1024;

// ---- storage ----------------------------------------------------------------------------------

/** A partition rolls to a new segment when the active one would grow past this. */
export const DEFAULT_SEGMENT_BYTES = 64 * 1024 * 1024;
/** Bytes of log between sparse offset-index entries. */
export const DEFAULT_INDEX_INTERVAL_BYTES = 4096;
/**
 * Descriptors a partition keeps open: its active segment's log, .index and .timeindex. Closed
 * segments share the open-sealed-segments cap below. For the capacity the broker logs at start.
 */
export const DESCRIPTORS_PER_PARTITION = 3;
/**
 * Closed segments whose log stays open, across all partitions (least recently read are closed,
 * and reopened when read): this share of the open-file limit, within the bounds below.
 */
export const OPEN_SEALED_SEGMENTS_SHARE = 1 / 8;
export const MIN_OPEN_SEALED_SEGMENTS = 8;
export const MAX_OPEN_SEALED_SEGMENTS = 1024;
/** The cap when the open-file limit cannot be read (not Linux). */
export const OPEN_SEALED_SEGMENTS_UNKNOWN_LIMIT = 256;
/** Descriptors the start-up capacity figure leaves for client connections and the broker's own files. */
export const DESCRIPTORS_RESERVED_FOR_CONNECTIONS = 64;
/** How often at most the listener logs that accepting failed for lack of descriptors. */
export const ACCEPT_FAILURE_LOG_MS = 10_000;
/**
 * Free descriptors (beyond what closed segments may still reopen) below which the listener
 * answers new connections with BrokerUnavailable instead of serving them: room for those
 * answers, metadata writes and segment rolls.
 */
export const ACCEPT_RESERVE_DESCRIPTORS = 16;
/** The listener counts open descriptors again once its estimate of the free ones falls to this... */
export const ACCEPT_RECOUNT_MARGIN = 256;
/** ...or once its last count is this old (the count lists /proc/self/fd: not on every accept). */
export const ACCEPT_RECOUNT_MS = 1000;
/** How long a refused connection may take to send the request its refusal answers. */
export const REFUSED_CONNECTION_WAIT_MS = 5000;
/** Newest bytes of each partition kept in memory for tailing readers (0 disables it). */
export const DEFAULT_TAIL_CACHE_BYTES = 4 * 1024 * 1024;

// ---- SmartModules and graphs ------------------------------------------------------------------

/** Linear memory cap of each SmartModule instance. */
export const DEFAULT_SMARTMODULE_MEMORY_BYTES = 256 * 1024 * 1024;
/** Longest a single SmartModule call may run before its stream fails. */
export const DEFAULT_SMARTMODULE_TIME_BUDGET_MS = 1000;
/** How often each graph instance checkpoints. */
export const DEFAULT_GRAPH_CHECKPOINT_MS = 1000;
/** Longest one graph step may run before its graph fails. */
export const DEFAULT_GRAPH_STEP_BUDGET_MS = 5000;
/** Linear memory cap of each graph operator module. */
export const DEFAULT_GRAPH_MAX_MEMORY_BYTES = 64 * 1024 * 1024;
/** Bytes one graph step reads at most from each source partition. */
export const DEFAULT_GRAPH_MAX_READ_BYTES = 1024 * 1024;
