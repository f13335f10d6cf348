// Every default of the client library in one place: what an option left out means. Each caller
// reads its value from here; where two callers deliberately differ, each has its own name.
// (The default port and the version string are @eddy/protocol's DEFAULT_PORT and EDDY_VERSION,
// shared by every package.)

/** Producer options left out (ProducerOptions documents each). */
export const PRODUCER_DEFAULTS = {
  /** A partition's batch closes once it holds about this many bytes. */
  batchSizeBytes: 64 * 1024,
  /** 0: a batch leaves at the end of the event-loop turn that filled it (adaptive batching). */
  lingerMs: 0,
  /** Produce requests outstanding at once. */
  maxInFlight: 5,
  /** send() waits while more than this many bytes are unacknowledged. */
  maxQueueBytes: 32 * 1024 * 1024,
  /** Upper bound of one Produce request (several partitions' batches). */
  maxRequestBytes: 8 * 1024 * 1024,
  /** Times a batch is re-sent after a retriable error. */
  retries: 10,
  /** First delay before a batch is re-sent, doubling per attempt (with jitter). */
  retryBackoffMs: 100,
  /** Cap of the delay before a batch is re-sent. */
  maxRetryBackoffMs: 5000,
  /** Time the broker may take to store a Produce request (sent in the request). */
  timeoutMs: 30_000,
};

/** Added to the producer's timeoutMs for the client's own wait: the broker's answer to a timed-out store must still arrive. */
export const PRODUCE_RESPONSE_GRACE_MS = 5000;

/** Reusable full-size segments an accumulator keeps when its caller names no count. */
export const ACCUMULATOR_POOL_SEGMENTS = 8;

/** Backoff between attempts to reach a broker (backoffDelay without options, connectionWithRetry). */
export const CONNECT_RETRY_BACKOFF = { initialMs: 100, maxMs: 2000 } as const;

/** A consumer stream's backoff between reconnects after its connection dropped (partition_fetcher). */
export const FETCH_RECONNECT_BACKOFF = { initialMs: 50, maxMs: 2000 } as const;

/** connectionWithRetry gives up after this long without a connection. */
export const CONNECT_RETRY_TIMEOUT_MS = 60_000;

/** How long a consumer stream keeps trying to reach a broker that went away before failing. */
export const CONSUMER_RECONNECT_TIMEOUT_MS = 60_000;

/** The same limit for a local chain's look-back read (short: it delays the first batch). */
export const LOOK_BACK_RECONNECT_TIMEOUT_MS = 10_000;

/** Connecting (TCP + ApiVersions) fails after this long. */
export const CONNECT_TIMEOUT_MS = 10_000;

/** Time limit for a request's response when the caller names none (0 = none). */
export const REQUEST_TIMEOUT_MS = 30_000;

/** TCP keep-alive probe delay of a broker connection. */
export const KEEP_ALIVE_MS = 30_000;

/** Largest StreamFetch response the broker sends a consumer. */
export const STREAM_MAX_BYTES = 1024 * 1024;

/** Bytes the broker may push ahead of what the application consumed, per partition. */
export const STREAM_WINDOW_BYTES = 4 * 1024 * 1024;

/** A named consumer commits its delivered positions this often (Kafka's auto.commit.interval.ms). */
export const AUTO_COMMIT_INTERVAL_MS = 5000;

/** Time limit of admin calls that upload or compile wasm (CreateSmartModule, ApplyGraph; used by admin.ts). */
export const ADMIN_WASM_TIMEOUT_MS = 120_000;

/** Sandbox workers of the shared engine local chains use at most (a client shares its cores with the application; used by local_smartmodules.ts). */
export const LOCAL_ENGINE_MAX_WORKERS = 2;
