import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Server as HttpServer } from 'node:http';
import type { Logger } from 'pino';
import { Controller, LocalMetadataStore, MetadataKind } from './controller/index.ts';
import type { MetadataStore } from './controller/index.ts';
import { parseMetadataLocation } from './controller/metadata_location.ts';
import type { Leadership } from './controller/etcd_leader_election.ts';
import { Spu } from './spu/index.ts';
import { GraphRunner } from './dataflow/graph_runner.ts';
import { ConnectorSupervisor } from './connectors/connector_supervisor.ts';
import type { FetchTransformFactory, ProduceTransform } from './spu/index.ts';
import { BrokerServer, handlersByKey } from './server/index.ts';
import { BrokerMetrics, createLogger } from './observability/index.ts';
import type { LogOptions, PartitionFigures } from './observability/index.ts';
import {
  DEFAULT_FRAME_TIMEOUT_MS, DEFAULT_HOST, DESCRIPTORS_PER_PARTITION, DESCRIPTORS_RESERVED_FOR_CONNECTIONS, DEFAULT_MAX_FRAME_BYTES, DEFAULT_METRICS_PORT, DEFAULT_PORT, DEFAULT_SPU_ID, MIN_MAX_FRAME_BYTES,
} from './defaults.ts';
import { acquireDirLock } from './util/dir_lock.ts';
import { openDescriptorCount, raiseDescriptorLimit } from './util/descriptor_limit.ts';
import { SmartModuleService } from './smartmodule/index.ts';
import { SHARED_OPEN_SEGMENTS, openSegmentsCapFor } from './storage/index.ts';

export interface BrokerOptions {
  /** Everything the broker stores lives here (created if missing). */
  dataDir: string;
  /** Default '127.0.0.1'. */
  host?: string;
  /** Client port; default DEFAULT_PORT (9003); 0 = ephemeral. */
  port?: number;
  /** Prometheus `/metrics` port; default DEFAULT_METRICS_PORT (9004); 0 = ephemeral; -1 = disabled. */
  metricsPort?: number;
  /** A pino logger, or where and how much to log (default: stdout, 'info'). */
  logger?: Logger | LogOptions;
  /** Largest request frame accepted (default 64 MiB). */
  maxFrameBytes?: number;
  /**
   * Longest a request frame may take from its first byte to its last (default 30 s; 0: no limit).
   * A client that stalls mid-frame past it gets an error response and is disconnected.
   */
  frameTimeoutMs?: number;
  /** How often retention runs (default 60 s; 0 disables). */
  retentionCheckMs?: number;
  /** Id of the local SPU (default 5001). */
  spuId?: number;
  /**
   * Run SmartModules on streaming fetches and produce requests (default true). When false, or
   * for a hook given below, requests carrying SmartModules are refused / handled by the hook.
   */
  smartModules?: boolean;
  /** Linear memory cap of each SmartModule instance (default 256 MiB). */
  smartModuleMemoryBytes?: number;
  /** Longest a single SmartModule call may run before its stream fails (default 1000 ms). */
  smartModuleTimeBudgetMs?: number;
  /** SmartModule sandbox worker threads (default: one per core). */
  smartModuleWorkers?: number;
  /** Replaces the built-in SmartModule hook for fetches. */
  fetchTransformFactory?: FetchTransformFactory;
  /** Replaces the built-in SmartModule hook for produce requests. */
  produceTransform?: ProduceTransform;
  /** Run applied dataflow graphs (default true). */
  graphs?: boolean;
  /** How often each graph instance checkpoints (default 1000 ms). */
  graphCheckpointMs?: number;
  /** Longest one graph step (up to 1 MiB of input through every operation) may run before its graph fails (default 5 s). */
  graphStepBudgetMs?: number;
  /**
   * Where the controller keeps its metadata: 'local' (default: files under the data dir) or
   * 'etcd://HOST:PORT[,HOST:PORT…][/PREFIX/]'. With etcd, brokers sharing it elect one active
   * controller: startBroker waits (as a standby) until this one is elected.
   */
  metadata?: string;
  /** etcd only: lease TTL of the active controller, i.e. how long a standby waits after it dies (default 3 s). */
  leaderTtlSeconds?: number;
  /**
   * etcd only: called when this broker lost its controller lease (etcd unreachable past the TTL;
   * a standby may be active by now), after the broker closed itself. Default: nothing more.
   */
  onLeadershipLost?: (err: Error) => void;
  /** Run cluster-managed connectors (default true). */
  connectors?: boolean;
}

export interface Broker {
  readonly dataDir: string;
  readonly host: string;
  readonly port: number;
  /** -1 when disabled. */
  readonly metricsPort: number;
  readonly logger: Logger;
  readonly controller: Controller;
  readonly spu: Spu;
  readonly metrics: BrokerMetrics;
  /** The SmartModule runtime (null when disabled). */
  readonly smartModules: SmartModuleService | null;
  /** The dataflow graph runner (null when disabled). */
  readonly graphs: GraphRunner | null;
  /**
   * Clean shutdown: stop accepting, end streams, answer in-flight requests, flush and close all
   * logs, mark the SPU Offline. Idempotent.
   */
  close(): Promise<void>;
}

/** Starts the controller and one SPU in this process and listens for clients. */
export async function startBroker(opts: BrokerOptions): Promise<Broker> {
  if (!opts || !opts.dataDir) throw new Error('startBroker: dataDir is required');
  const dataDir = resolve(opts.dataDir);
  const host = opts.host ?? DEFAULT_HOST;
  const port = opts.port ?? DEFAULT_PORT;
  const metricsPortOpt = opts.metricsPort ?? DEFAULT_METRICS_PORT;
  const spuId = opts.spuId ?? DEFAULT_SPU_ID;
  const maxFrameBytes = opts.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
  const frameTimeoutMs = opts.frameTimeoutMs ?? DEFAULT_FRAME_TIMEOUT_MS;
  checkPort('port', port, false);
  checkPort('metricsPort', metricsPortOpt, true);
  if (!Number.isSafeInteger(maxFrameBytes) || maxFrameBytes < MIN_MAX_FRAME_BYTES) throw new Error(`maxFrameBytes must be an integer >= ${MIN_MAX_FRAME_BYTES}, got ${maxFrameBytes}`);
  checkMin('frameTimeoutMs', frameTimeoutMs, 0);
  checkMin('smartModuleMemoryBytes', opts.smartModuleMemoryBytes, 65536);
  checkMin('smartModuleTimeBudgetMs', opts.smartModuleTimeBudgetMs, 1);
  checkMin('smartModuleWorkers', opts.smartModuleWorkers, 1);

  await mkdir(dataDir, { recursive: true });
  const owned = createLogger(opts.logger);
  const logger = owned.logger;
  const cleanups: (() => Promise<void> | void)[] = [() => owned.close()];
  const unwind = async (): Promise<void> => {
    for (const c of cleanups.splice(0).reverse()) {
      try { await c(); } catch (err) { logger.error({ err: (err as Error).message }, 'cleanup failed'); }
    }
  };

  // Before any partition opens its files: each holds descriptors for as long as it exists.
  const raised = raiseDescriptorLimit();
  if (raised.failure !== null) logger.warn({ limit: raised.limit }, `cannot raise the open-file limit to its hard limit: ${raised.failure}`);
  SHARED_OPEN_SEGMENTS.resize(openSegmentsCapFor(raised.limit?.soft ?? null));

  try {
    const release = await acquireDirLock(join(dataDir, 'broker.lock'));
    cleanups.push(release);
    const location = parseMetadataLocation(opts.metadata ?? 'local');
    let store: MetadataStore;
    let leadership: Leadership | null = null;
    if (location.kind === 'etcd') {
      // Loaded only here: the gRPC client costs start-up time that file-store brokers need not pay.
      const { EtcdMetadataStore } = await import('./controller/etcd_metadata_store.ts');
      const { campaignForLeadership } = await import('./controller/etcd_leader_election.ts');
      const etcd = await EtcdMetadataStore.open({ endpoints: location.endpoints, prefix: location.prefix });
      store = etcd;
      cleanups.push(() => etcd.close());
      // With port 0 the real port is known only after listen (a standby must not listen first).
      const me = `${host}:${port === 0 ? '(binding)' : port} pid ${process.pid}`;
      let waiting = false;
      leadership = await campaignForLeadership(etcd.client, {
        key: `${location.prefix}.controller`, value: me, ttlSeconds: opts.leaderTtlSeconds,
        onWaiting: (holder) => {
          if (!waiting) logger.info({ active: holder }, 'standby: another controller is active; waiting for its lease to end');
          waiting = true;
        },
      });
      const held = leadership;
      cleanups.push(() => held.resign());
      etcd.fence(held.fence);
      // Whatever the previous active wrote before its lease ended is below this revision.
      await etcd.sync(held.fence.createRevision);
      logger.info({ endpoints: location.endpoints, prefix: location.prefix }, 'elected the active controller');
    } else {
      const local = await LocalMetadataStore.open(join(dataDir, 'metadata'));
      store = local;
      cleanups.push(() => local.close());
    }

    let spuRef: Spu | null = null;
    let controllerRef: Controller | null = null;
    const smartModules = opts.smartModules === false ? null : new SmartModuleService({
      memoryLimitBytes: opts.smartModuleMemoryBytes,
      timeBudgetMs: opts.smartModuleTimeBudgetMs,
      workers: opts.smartModuleWorkers,
      logger,
      resolveWasm: (name) => {
        if (!controllerRef) throw new Error('the controller is not ready yet');
        return controllerRef.registeredSmartModule(name);
      },
    });
    if (smartModules) cleanups.push(() => smartModules.close());
    const metrics = new BrokerMetrics(function* (): Iterable<PartitionFigures> {
      if (!spuRef) return;
      for (const topic of spuRef.topicNames()) {
        for (const s of spuRef.partitionStatuses(topic)) {
          yield { topic, partition: s.partition, sizeBytes: s.sizeBytes, highWatermark: s.highWatermark, logStartOffset: s.logStartOffset, lostOffsets: s.lostOffsets };
        }
      }
    });
    const spu = await Spu.open({
      dataDir, id: spuId, logger, observer: metrics,
      retentionCheckMs: opts.retentionCheckMs,
      fetchTransformFactory: opts.fetchTransformFactory ?? smartModules?.fetchTransformFactory,
      produceTransform: opts.produceTransform ?? smartModules?.produceTransform((t, p) => spuRef?.leader(t, p)),
    });
    spuRef = spu;
    cleanups.push(() => spu.close());

    const controller = new Controller({ store, dataDir, provisioner: spu, localSpuId: spuId, logger });
    controllerRef = controller;
    await controller.reconcile();
    const unwatch = controller.watch((ev) => { if (ev.op === 'delete') metrics.forgetTopic(ev.name); }, [MetadataKind.topic]);

    logDescriptorCapacity(logger, raised.limit?.soft ?? null, [...spu.topicNames()].length);
    const server = new BrokerServer({ spu, controller, handlers: handlersByKey(), metrics, logger, maxFrameBytes, frameTimeoutMs });
    const boundPort = await server.listen(host, port);
    cleanups.push(() => server.close());
    if (leadership && port === 0) await leadership.announce(`${host}:${boundPort} pid ${process.pid}`);
    await controller.registerSpu({ id: spuId, host, port: boundPort, rack: null }, 'Online');
    cleanups.push(() => controller.setSpuStatus(spuId, 'Offline'));

    let metricsPort = -1;
    let http: HttpServer | null = null;
    if (metricsPortOpt >= 0) {
      const { startMetricsServer } = await import('./observability/metrics_server.ts');
      await metrics.enable(); // prom-client, loaded only by brokers that serve metrics
      const m = await startMetricsServer(metrics.registry, host, metricsPortOpt);
      http = m.server;
      metricsPort = m.port;
    }
    let graphs: GraphRunner | null = null;
    if (opts.graphs !== false) {
      const runner = new GraphRunner({
        controller, spu, dataDir, logger,
        registry: metricsPort >= 0 ? async () => (await metrics.enable()).registry : undefined,
        checkpointIntervalMs: opts.graphCheckpointMs,
        stepBudgetMs: opts.graphStepBudgetMs,
      });
      await runner.start();
      graphs = runner;
      cleanups.push(() => runner.close());
    }
    let connectors: ConnectorSupervisor | null = null;
    if (opts.connectors !== false) {
      // Connectors are this broker's clients: a wildcard listen address is reached on loopback.
      const reach = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
      const supervisor = new ConnectorSupervisor({ controller, endpoint: `${reach.includes(':') ? `[${reach}]` : reach}:${boundPort}`, logger });
      await supervisor.start();
      connectors = supervisor;
      cleanups.push(() => supervisor.close());
    }
    logger.info({ dataDir, host, port: boundPort, metricsPort, spuId, topics: controller.topics().length }, 'broker started');

    let closing: Promise<void> | null = null;
    const close = (): Promise<void> => {
      closing ??= (async () => {
        logger.info({ port: boundPort }, 'broker shutting down');
        unwatch();
        if (http) {
          const h = http;
          h.closeAllConnections();
          await new Promise<void>((r) => h.close(() => r()));
        }
        cleanups.length = 0;
        // Connectors first, while the server still runs: they flush and commit through it.
        await step(() => connectors?.close());
        // Order matters: stop traffic, mark the SPU Offline, close logs, then the store and lock.
        await step(() => server.close());
        await step(() => graphs?.close());
        await step(() => controller.setSpuStatus(spuId, 'Offline'));
        await step(() => spu.close());
        await step(() => smartModules?.close());
        // Resigning lets a standby take over now rather than after the lease TTL.
        await step(() => leadership?.resign());
        await step(() => store.close());
        logger.info({ port: boundPort }, 'broker stopped');
        await step(release);
        owned.close();
      })();
      return closing;
    };
    const step = async (fn: (() => Promise<void> | void) | undefined): Promise<void> => {
      try { await fn?.(); } catch (err) { logger.error({ err: (err as Error).message }, 'shutdown step failed'); }
    };
    if (leadership) {
      // Without the lease another controller may be active: serving on would act on a stale view.
      void leadership.lost.then((err) => {
        logger.error({ err: err.message }, 'lost the controller lease; shutting down');
        void close().then(() => opts.onLeadershipLost?.(err));
      });
    }
    return { dataDir, host, port: boundPort, metricsPort, logger, controller, spu, metrics, smartModules, graphs, close };
  } catch (err) {
    logger.error({ err: (err as Error).message }, 'broker failed to start');
    await unwind();
    throw err;
  }
}

function checkPort(name: string, v: number, allowDisabled: boolean): void {
  if (!Number.isInteger(v) || v > 65535 || v < (allowDisabled ? -1 : 0)) {
    throw new Error(`${name} must be an integer 0..65535${allowDisabled ? ' or -1 (disabled)' : ''}, got ${v}`);
  }
}

function checkMin(name: string, v: number | undefined, min: number): void {
  if (v !== undefined && (!Number.isSafeInteger(v) || v < min)) throw new Error(`${name} must be an integer >= ${min}, got ${v}`);
}

/**
 * One line at start: the open-file limit, what is open, and how many more partitions it leaves
 * room for (a warning when the room left is short), so running out is foreseen, not discovered.
 * Only active segments hold descriptors per partition; closed ones share a capped set (storage's
 * OpenSegments), of which the part not open yet is counted as taken.
 */
function logDescriptorCapacity(logger: Logger, soft: number | null, topics: number): void {
  const open = openDescriptorCount();
  if (soft === null || open < 0) return;
  if (soft === Infinity) {
    logger.info({ openFiles: open, limit: 'unlimited' }, 'open-file limit: unlimited');
    return;
  }
  const sealedCap = SHARED_OPEN_SEGMENTS.cap;
  const free = soft - open - DESCRIPTORS_RESERVED_FOR_CONNECTIONS - Math.max(0, sealedCap - SHARED_OPEN_SEGMENTS.size);
  const morePartitions = Math.max(0, Math.floor(free / DESCRIPTORS_PER_PARTITION));
  const fields = {
    limit: soft, openFiles: open, topics, descriptorsPerPartition: DESCRIPTORS_PER_PARTITION, openClosedSegmentsCap: sealedCap,
    reservedForConnections: DESCRIPTORS_RESERVED_FOR_CONNECTIONS, morePartitions,
  };
  const message = `open-file limit ${soft}: ${open} open; room for ${morePartitions} more partitions (${DESCRIPTORS_PER_PARTITION} descriptors each, for the active segment; closed segments share ${sealedCap}, opened on demand) with ${DESCRIPTORS_RESERVED_FOR_CONNECTIONS} kept for connections`;
  if (free < 0) logger.warn(fields, `${message}; too few left for connections: raise the limit (ulimit -n)`);
  else logger.info(fields, message);
}
