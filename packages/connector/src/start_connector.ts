import type { Logger } from 'pino';
import { Eddy, EddyError, ErrorCode, RecordFuture, type Producer, type RecordMetadata } from '@eddy/client';
import { loadConnectorConfig, parseConnectorConfig, toOffset, type ConnectorConfig } from './connector_config.ts';
import type {
  ConnectorContext, ConnectorDefinition, SinkDefinition, SourceContext, SourceDefinition, SourceRecord, SourceSession,
} from './define.ts';
import { oneLine } from './errors.ts';
import { withRetry } from './retry.ts';
import { loadSecretsFile } from './secrets.ts';
import { ConnectorMetrics, createConnectorLogger, serveMetrics } from './telemetry.ts';

export interface StartOptions {
  /** The config file (`--config`), or `configText` for a config held in memory. */
  configFile?: string;
  configText?: string;
  /** `--secrets FILE`; secrets not in it come from `env`. */
  secretsFile?: string;
  /** Default process.env. */
  env?: NodeJS.ProcessEnv;
  /** The cluster 'host:port'; default $EDDY_ENDPOINT, else the current profile. */
  endpoint?: string;
  /** `/metrics` port: 0 (default) picks a free one, -1 serves none. */
  metricsPort?: number;
  logger?: Logger;
  logLevel?: string;
  /** The periodic liveness line. Default 30 s. */
  livenessIntervalMs?: number;
}

/** A connector running in this process. */
export interface RunningConnector {
  /** Secrets resolved: never log it. */
  readonly config: ConnectorConfig<unknown>;
  readonly metrics: ConnectorMetrics;
  /** The `/metrics` port, -1 when none. */
  readonly metricsPort: number;
  /** Resolves when the connector stopped cleanly (a finite source ended, or stop()); rejects with its fatal error. */
  readonly done: Promise<void>;
  /** Stops gracefully: the source flushes, the sink finishes its write and commits. */
  stop(): Promise<void>;
}

/**
 * Loads the config and runs the connector until it ends, is stopped, or fails. Config errors
 * reject at once (ConfigError); later failures reject `done`.
 */
export async function startConnector(def: ConnectorDefinition, opts: StartOptions): Promise<RunningConnector> {
  const env = opts.env ?? process.env;
  const secrets = { env, file: opts.secretsFile !== undefined ? loadSecretsFile(opts.secretsFile) : undefined };
  const { config, resolver } = opts.configText !== undefined
    ? parseConnectorConfig(def, opts.configText, secrets)
    : loadConnectorConfig(def, opts.configFile ?? '', secrets);
  const logger = (opts.logger ?? createConnectorLogger(def.name, { level: opts.logLevel })).child({ name: config.name });
  const metrics = new ConnectorMetrics(config.name, def.direction);
  const served = opts.metricsPort === -1 ? null : await serveMetrics(metrics, opts.metricsPort ?? 0);
  const ctrl = new AbortController();
  const endpoint = opts.endpoint ?? (env.EDDY_ENDPOINT || undefined);

  const ctx: ConnectorContext = {
    config,
    logger,
    signal: ctrl.signal,
    retry: (what, fn) => withRetry(what, fn, def.retry, ctrl.signal, (err, attempt, delayMs) => {
      metrics.addError();
      logger.warn({ event: 'retry', what, attempt, delayMs, error: resolver.redact(oneLine(err)) }, `${what} failed, retrying`);
    }),
    reportError(err, what) {
      metrics.addError();
      logger.warn({ event: 'error', what, error: resolver.redact(oneLine(err)) }, what);
    },
    redact: (t) => resolver.redact(t),
  };

  let eddy: Eddy | null = null;
  const live = setInterval(() => {
    logger.info({ event: 'alive', ...metrics.snapshot() }, 'alive');
  }, opts.livenessIntervalMs ?? 30_000);
  live.unref();

  const run = async (): Promise<void> => {
    logger.info({
      event: 'starting', version: def.version, type: def.name, apiVersion: config.apiVersion, topic: config.topic.name,
      transforms: config.transforms.map((t) => t.name), metricsPort: served?.port ?? -1,
    }, `starting ${def.name} ${def.version}`);
    const at = endpoint ?? 'the current profile\'s cluster';
    eddy = await ctx.retry(`connecting to Eddy at ${at}`, () => Eddy.connect({ endpoint, clientId: config.name, connectTimeoutMs: 5000 }));
    if (def.direction === 'source') await runSource(def, eddy, ctx, metrics);
    else await runSink(def, eddy, ctx, metrics);
  };

  const done = run().finally(async () => {
    clearInterval(live);
    served?.server.close();
    await eddy?.close().catch(() => {});
  }).then(() => {
    logger.info({ event: 'stopped', ...metrics.snapshot() }, 'stopped');
  }, (err: unknown) => {
    const e = err instanceof Error ? err : new Error(String(err));
    const line = resolver.redact(oneLine(e));
    logger.error({ event: 'failed', error: line, ...metrics.snapshot() }, line);
    throw new Error(line, { cause: e });
  });
  done.catch(() => {}); // the caller awaits it; never an unhandled rejection meanwhile

  return {
    config,
    metrics,
    metricsPort: served?.port ?? -1,
    done,
    async stop() {
      ctrl.abort();
      await done.catch(() => {});
    },
  };
}

// ---- sources -----------------------------------------------------------------------------------

async function runSource(def: SourceDefinition, eddy: Eddy, base: ConnectorContext, metrics: ConnectorMetrics): Promise<void> {
  const { config, logger } = base;
  if (config.createTopic !== false) await ensureTopic(eddy, config, logger);
  const highWatermarks = (await eddy.admin().listOffsets(config.topic.name)).map((p) => ({ partition: p.partition, offset: p.highWatermark }));
  const producer: Producer = await eddy.producer(config.topic.name, {
    ...(config.producer.lingerMs !== undefined ? { lingerMs: config.producer.lingerMs } : {}),
    ...(config.producer.batchSizeBytes !== undefined ? { batchSizeBytes: config.producer.batchSizeBytes } : {}),
    ...(config.producer.compression !== undefined ? { compression: config.producer.compression } : {}),
    // Registered SmartModules by name: the broker runs the chain on produce, before storing.
    ...(config.transforms.length > 0 ? { smartmodules: config.transforms } : {}),
  });
  logger.info({ event: 'started', topic: config.topic.name, startingOffsets: highWatermarks, version: def.version }, `producing to '${config.topic.name}'`);

  let fatal: Error | null = null;
  let ended = false;
  let wake: (() => void) | null = null;
  const finish = (): void => { const w = wake; wake = null; w?.(); };
  const fail = (err: unknown): void => {
    fatal ??= err instanceof Error ? err : new Error(String(err));
    finish();
  };
  base.signal.addEventListener('abort', finish, { once: true });

  // Records are counted out per producer batch (one handler per batch, not per record).
  let lastBatch: object | null = null;
  const onBatchError = (err: unknown): void => fail(err);
  const watch = (f: Promise<RecordMetadata>, rec: SourceRecord): void => {
    if (rec.ack !== undefined || rec.nack !== undefined) {
      f.then((m) => { metrics.addOut(1); rec.ack?.(m); }, (err: Error) => { rec.nack?.(err); fail(err); });
      return;
    }
    if (f instanceof RecordFuture) {
      const b = f.batch;
      if (b === lastBatch) return;
      lastBatch = b;
      b.promise.then(() => metrics.addOut(b.count), onBatchError);
      return;
    }
    f.then(() => metrics.addOut(1), onBatchError);
  };
  const emit = async (rec: SourceRecord): Promise<void> => {
    if (fatal !== null) throw fatal;
    metrics.addIn(1);
    const f = rec.timestamp === undefined && rec.headers === undefined
      ? producer.send(rec.key, rec.value)
      : producer.send(rec.key, rec.value, { timestamp: rec.timestamp, headers: rec.headers });
    watch(f, rec);
    // Back-pressure: the queue is full, so wait for this record to be stored before taking more.
    if (producer.stats().waitingSends > 0) await f.then(undefined, () => {});
    metrics.setLag(metrics.in - metrics.out);
  };
  const ctx: SourceContext = {
    ...base,
    emit,
    end() { ended = true; finish(); },
    fail,
  };

  const handle = await base.retry(`opening ${def.name}`, async () => await def.open(config.options as never, ctx));
  // Pull (an iterable) or push (ctx.emit); either may carry close(), called once what was sent
  // is acknowledged, so a source can save its upstream position last.
  const closable = handle !== null && typeof handle === 'object' && typeof (handle as SourceSession).close === 'function' ? handle as SourceSession : null;
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    await closable?.close?.();
  };
  try {
    if (isIterable(handle)) {
      for await (const rec of handle) {
        if (base.signal.aborted || fatal !== null) break;
        await emit(rec);
      }
    } else if (!ended && fatal === null && !base.signal.aborted) {
      await new Promise<void>((resolve) => { wake = resolve; });
    }
    if (fatal === null) await producer.flush();
    await close();
    if (fatal === null) await producer.flush(); // a push source may emit until closed
  } finally {
    await close().catch(() => {});
  }
  if (fatal !== null) throw fatal;
  metrics.setLag(0);
}

function isIterable(v: unknown): v is AsyncIterable<SourceRecord> | Iterable<SourceRecord> {
  return v !== null && typeof v === 'object' && (Symbol.asyncIterator in v || Symbol.iterator in v);
}

/** Creates the topic when it does not exist (with the 0.2.0 topic object's settings, if any). */
async function ensureTopic(eddy: Eddy, config: ConnectorConfig<unknown>, logger: Logger): Promise<void> {
  const t = config.topic;
  const admin = eddy.admin();
  const found = await admin.listTopics([t.name]).catch((err: unknown) => {
    if (err instanceof EddyError && err.code === ErrorCode.UnknownTopic) return [];
    throw err;
  });
  if (found.some((x) => x.name === t.name)) return;
  await admin.createTopic(t.name, {
    ...(t.partitions !== undefined ? { partitions: t.partitions } : {}),
    ...(t.replication !== undefined ? { replicationFactor: t.replication } : {}),
    ...(t.retentionMs !== undefined ? { retentionMs: t.retentionMs } : {}),
    ...(t.segmentBytes !== undefined ? { segmentBytes: t.segmentBytes } : {}),
    ...(t.compression !== undefined ? { compression: t.compression } : {}),
  }).catch((err: unknown) => {
    // Created meanwhile by someone else: fine.
    if (!/exist/i.test(oneLine(err))) throw err;
  });
  logger.info({ event: 'topic-created', topic: t.name, partitions: t.partitions ?? 1 }, `created topic '${t.name}'`);
}

// ---- sinks -------------------------------------------------------------------------------------

async function runSink(def: SinkDefinition, eddy: Eddy, ctx: ConnectorContext, metrics: ConnectorMetrics): Promise<void> {
  const { config, logger } = ctx;
  const c = config.consumer;
  const named = c.strategy !== 'none';
  // Before opening the writer: a topic that cannot be created fails the start, with nothing to close.
  if (config.createTopic === true) await ensureTopic(eddy, config, logger);
  const writer = await ctx.retry(`opening ${def.name}`, async () => await def.open(config.options as never, ctx));
  try {
    const consumer = eddy.consumer(config.topic.name, {
      ...(named ? { consumerName: c.id } : {}),
      // Offsets are committed here, after the outside system accepted the records: never on read.
      autoCommit: false,
      ...(c.maxBytes !== undefined ? { maxBytes: c.maxBytes } : {}),
      // Registered SmartModules by name: the broker (SPU) runs the chain before sending.
      ...(config.transforms.length > 0 ? { smartmodules: config.transforms } : {}),
      onWarning: (m) => logger.warn({ event: 'offset-reset' }, m),
    });
    const committed = named
      ? (await eddy.admin().listConsumers(config.topic.name)).filter((x) => x.consumer === c.id).map((x) => ({ partition: x.partition, offset: x.offset }))
      : [];
    logger.info({
      event: 'started', topic: config.topic.name, consumer: named ? c.id : null, strategy: c.strategy,
      committedOffsets: committed, start: c.start, version: def.version,
    }, committed.length > 0 ? `resuming '${config.topic.name}' from committed offsets` : `reading '${config.topic.name}' from ${JSON.stringify(c.start)}`);

    const stream = consumer.stream(toOffset(c.start), { ...(c.partitions !== undefined ? { partitions: c.partitions } : {}), signal: ctx.signal });
    const lagTimer = setInterval(() => { void updateLag(eddy, config.topic.name, consumer.currentPositions(), metrics).catch(() => {}); }, 5000);
    lagTimer.unref();
    let lastCommit = Date.now();
    // The positions after the last written batch: what a commit may cover (the stream's own
    // positions run one batch ahead, past the batch being read ahead).
    let written: Map<number, number> | null = null;
    let uncommitted = false;
    // At most one commit in flight, overlapping the next write; the client serialises commits, and
    // a failed one fails the sink at the next commit or at the end.
    let committing: Promise<void> | null = null;
    const commit = async (): Promise<void> => {
      if (committing !== null) await committing;
      const positions = written!;
      uncommitted = false;
      const p = ctx.retry('committing offsets', () => consumer.commit(positions));
      p.catch(() => {}); // awaited before the next commit and at the end
      committing = p;
      lastCommit = Date.now();
    };
    const it = stream.batches();
    try {
      // Read ahead: the next batch is fetched (and decoded by the stream) while the connector
      // writes the current one, at most one batch beyond it. Writes stay in order, one at a time.
      let next = it.next();
      for (;;) {
        const r = await next;
        if (r.done) break;
        if (ctx.signal.aborted) break; // stopping: a batch read ahead is not written (nor committed)
        // Taken before reading ahead moves the stream's positions past the next batch.
        const after = named ? consumer.currentPositions() : null;
        next = it.next();
        next.catch(() => {}); // awaited next round; meanwhile a stream error must not go unhandled
        const records = r.value.records;
        if (records.length > 0) {
          metrics.addIn(records.length);
          await ctx.retry(`writing to ${def.name}`, () => writer.write(records));
          metrics.addOut(records.length);
        }
        if (after === null) continue;
        written = after;
        uncommitted = true;
        if (c.flushPeriodMs === undefined || Date.now() - lastCommit >= c.flushPeriodMs) await commit();
      }
      if (uncommitted) await commit();
      if (committing !== null) await committing;
    } finally {
      clearInterval(lagTimer);
      await it.return?.();
    }
  } finally {
    await writer.close?.();
  }
}

async function updateLag(eddy: Eddy, topic: string, positions: Map<number, number>, metrics: ConnectorMetrics): Promise<void> {
  let lag = 0;
  for (const p of await eddy.admin().listOffsets(topic)) {
    const pos = positions.get(p.partition);
    if (pos !== undefined) lag += Math.max(0, p.highWatermark - pos);
  }
  metrics.setLag(lag);
}
