import { ErrorCode, errorFromCode } from '@eddy/protocol';
import type {
  Connector,
  ConsumerOffsetInfo,
  Graph,
  GraphSpec,
  MetadataChange,
  PartitionStatus,
  SmartModuleMeta,
  Spu,
  Topic,
  TopicSpec,
  WatchMetadataResponse,
} from '@eddy/protocol';
import type { BrokerClient } from './broker_client.ts';
import { ADMIN_WASM_TIMEOUT_MS } from './defaults.ts';
import type { Connection, StreamHandle } from './connection.ts';

/** A partition as `listPartitions` returns it. */
export interface PartitionInfo {
  topic: string;
  status: PartitionStatus;
}

/** Start and end of a partition's log. */
export interface PartitionOffsets {
  partition: number;
  logStartOffset: number;
  highWatermark: number;
  /** With `listOffsets(topic, partitions, timestamp)`: first offset at or after it (-1 = none). */
  timestampOffset: number;
}

export type MetadataKindName = 'topic' | 'spu' | 'smartmodule';

/** A graph to apply: the definition's YAML text and its binding to topics. */
export interface GraphSpecInput {
  name: string;
  definition: string;
  sources: string[];
  sink: string;
  /** `OPERATION.KEY` → value, overriding the definition's module configuration defaults. */
  params?: Record<string, string>;
  /** Seed values for the graph's state store. */
  state?: Record<string, string>;
  /** How far behind the frontier a message may arrive (default 0). */
  allowedLatenessMs?: number;
  /** Where late messages go (default: counted and dropped). */
  lateTopic?: string | null;
}

/**
 * Cluster management: topics, partitions, SPUs, named consumers, SmartModules. Objects are
 * spec/status shaped (Fluvio's model); the CLI prints them (packages/cli/src/format/output.ts).
 */
export class Admin {
  private readonly broker: BrokerClient;

  /** Use `eddy.admin()`. */
  constructor(broker: BrokerClient) {
    this.broker = broker;
  }

  /**
   * Creates a topic. Fields left out take the broker's defaults (1 partition, 7 days retention,
   * 1 GiB segments, ...). `dryRun` validates without creating. With `ifNotExists`, a topic of
   * that name already there is not an error (its configuration is left as it is). Resolves to
   * whether the topic was created (or, on a dry run, would be).
   */
  async createTopic(name: string, spec: Partial<TopicSpec> = {}, opts: boolean | { dryRun?: boolean; ifNotExists?: boolean } = false): Promise<boolean> {
    const o = typeof opts === 'boolean' ? { dryRun: opts } : opts;
    const full: TopicSpec = {
      partitions: spec.partitions ?? 0,
      replicationFactor: spec.replicationFactor ?? 0,
      retentionMs: spec.retentionMs ?? 0,
      retentionBytes: spec.retentionBytes ?? 0,
      segmentBytes: spec.segmentBytes ?? 0,
      maxRecordBytes: spec.maxRecordBytes ?? 0,
      compression: spec.compression ?? '',
      flush: spec.flush ?? '',
    };
    try {
      await this.broker.call('CreateTopic', { name, spec: full, dryRun: !!o.dryRun });
    } catch (err) {
      if (o.ifNotExists && (err as { code?: unknown }).code === ErrorCode.TopicAlreadyExists) return false;
      throw err;
    }
    return true;
  }

  /** Deletes a topic and its data. */
  async deleteTopic(name: string): Promise<void> {
    await this.broker.call('DeleteTopic', { name });
  }

  /** Every topic, or the named ones (UnknownTopic if one does not exist). */
  async listTopics(names: string[] = []): Promise<Topic[]> {
    return (await this.broker.call('ListTopics', { names })).topics;
  }

  /** One topic; UnknownTopic when it does not exist. */
  async describeTopic(name: string): Promise<Topic> {
    return this.broker.topic(name);
  }

  async listPartitions(topic?: string): Promise<PartitionInfo[]> {
    return (await this.broker.call('ListPartitions', { topic: topic ?? null })).partitions;
  }

  async listSpus(): Promise<Spu[]> {
    return (await this.broker.call('ListSpus', {})).spus;
  }

  /** Named consumers and their committed offsets, per partition. */
  async listConsumers(topic?: string): Promise<ConsumerOffsetInfo[]> {
    return (await this.broker.call('ListConsumers', { topic: topic ?? null })).consumers;
  }

  /** Deletes a named consumer's offsets for one topic, or for all topics. */
  async deleteConsumer(name: string, topic?: string): Promise<void> {
    await this.broker.call('DeleteConsumer', { consumer: name, topic: topic ?? null });
  }

  /** Log start and high watermark per partition (all partitions by default). */
  async listOffsets(topic: string, partitions?: number[], timestamp = -1): Promise<PartitionOffsets[]> {
    let list = partitions;
    if (list === undefined || list.length === 0) {
      const n = await this.broker.partitionCount(topic);
      list = Array.from({ length: n }, (_, i) => i);
    }
    const res = await this.broker.call('ListOffsets', { topic, partitions: list.map((partition) => ({ partition, timestamp })) });
    return res.partitions.map((p) => {
      if (p.errorCode !== ErrorCode.None) throw errorFromCode(p.errorCode, `listing offsets of '${topic}' partition ${p.partition}`);
      return { partition: p.partition, logStartOffset: p.logStartOffset, highWatermark: p.highWatermark, timestampOffset: p.timestampOffset };
    });
  }

  /**
   * Metadata changes as they happen: first the current state (op 'sync'), then 'upsert' and
   * 'delete' changes. Ends when the signal aborts or the loop breaks; throws if the connection drops.
   */
  watch(kinds: MetadataKindName[] = [], signal?: AbortSignal): AsyncIterable<MetadataChange> {
    const broker = this.broker;
    return {
      [Symbol.asyncIterator]: () => watchIterator(broker, kinds, signal),
    };
  }

  /**
   * Registers a module version (wasm bytes) as `name:version` (default version '0.1.0'): a
   * SmartModule, or a graph operator module when it exports `graph_abi_version`. Versions of one
   * name coexist; SmartModuleExists when this version is already registered. `abiVersion` is the
   * SmartModule ABI version (16..25) every stream using the module calls it with unless it names
   * one: a Fluvio module built before ABI 22 needs its own (default: the newest).
   */
  async createSmartModule(name: string, wasm: Uint8Array, opts: { version?: string; description?: string; abiVersion?: number } = {}): Promise<void> {
    const bytes = Buffer.isBuffer(wasm) ? wasm : Buffer.from(wasm.buffer, wasm.byteOffset, wasm.byteLength);
    const abiVersion = opts.abiVersion ?? null;
    // A v0 broker would drop the field silently and run the module at the wrong version.
    if (abiVersion !== null && (await this.broker.connection()).versionOf('CreateSmartModule') < 1) {
      throw errorFromCode(ErrorCode.UnsupportedVersion, `the broker cannot record a SmartModule's ABI version (it speaks CreateSmartModule v0): upgrade it, or name the version in each stream`);
    }
    await this.broker.call('CreateSmartModule', { name, version: opts.version ?? '0.1.0', description: opts.description ?? '', wasm: bytes, abiVersion }, { timeoutMs: ADMIN_WASM_TIMEOUT_MS });
  }

  /**
   * Module versions (metadata only), all or the named ones: `name` (all its versions) or
   * `name:version` (SmartModuleNotFound if one does not exist).
   */
  async listSmartModules(names: string[] = []): Promise<SmartModuleMeta[]> {
    return (await this.broker.call('ListSmartModules', { names })).modules;
  }

  /** Deletes `name:version`, or every version of a bare `name`. */
  async deleteSmartModule(name: string): Promise<void> {
    await this.broker.call('DeleteSmartModule', { name });
  }

  /**
   * Creates or replaces a dataflow graph. The broker validates the definition against the
   * registered modules and the topics: GraphInvalid carries one line per problem (naming `file`,
   * default `<name>.yaml`, and the YAML path), UnknownTopic a missing source, sink or late topic.
   * `dryRun` only validates.
   */
  async applyGraph(spec: GraphSpecInput, opts: { file?: string; dryRun?: boolean } = {}): Promise<{ created: boolean; operations: number }> {
    const full: GraphSpec = {
      name: spec.name,
      definition: spec.definition,
      sources: spec.sources,
      sink: spec.sink,
      params: spec.params ?? {},
      state: spec.state ?? {},
      allowedLatenessMs: spec.allowedLatenessMs ?? 0,
      lateTopic: spec.lateTopic ?? null,
      createdMs: 0,
    };
    const r = await this.broker.call('ApplyGraph', { spec: full, file: opts.file ?? '', dryRun: !!opts.dryRun }, { timeoutMs: ADMIN_WASM_TIMEOUT_MS });
    return { created: r.created, operations: r.operations };
  }

  /** Every graph (or the named ones; GraphNotFound if one does not exist), with its status. */
  async listGraphs(names: string[] = []): Promise<Graph[]> {
    return (await this.broker.call('ListGraphs', { names })).graphs;
  }

  /** One graph's spec and status; GraphNotFound when there is none. */
  async describeGraph(name: string): Promise<Graph> {
    const r = await this.broker.call('DescribeGraph', { name });
    if (!r.graph) throw errorFromCode(ErrorCode.GraphNotFound, `unknown graph '${name}'`);
    return r.graph;
  }

  /** Deletes a graph (the broker's runner stops it). */
  async deleteGraph(name: string): Promise<void> {
    await this.broker.call('DeleteGraph', { name });
  }

  /**
   * Creates a cluster-managed connector from its config's YAML text (Fluvio's format; the name
   * and type come from `meta`) and, optionally, a secrets file's text (KEY=value lines). The
   * broker runs it. Resolves to the connector's name.
   */
  async createConnector(config: string, secrets: string | null = null): Promise<string> {
    return (await this.broker.call('CreateConnector', { config, secrets })).name;
  }

  /** Replaces a connector's config (and its secrets, unless null: kept); the broker restarts it. */
  async updateConnector(config: string, secrets: string | null = null): Promise<string> {
    return (await this.broker.call('UpdateConnector', { config, secrets })).name;
  }

  /** Every connector (or the named ones; ConnectorNotFound if one does not exist), with its status. */
  async listConnectors(names: string[] = []): Promise<Connector[]> {
    return (await this.broker.call('ListConnectors', { names })).connectors;
  }

  /** One connector's config, secret names (never values) and status. */
  async describeConnector(name: string): Promise<Connector> {
    const r = await this.broker.call('DescribeConnector', { name });
    if (!r.connector) throw errorFromCode(ErrorCode.ConnectorNotFound, `unknown connector '${name}'`);
    return r.connector;
  }

  /** Stops a connector and removes it. */
  async deleteConnector(name: string): Promise<void> {
    await this.broker.call('DeleteConnector', { name }, { timeoutMs: 60_000 });
  }

  /** The last `lines` lines of the connector's output as the broker captured it (0: all it keeps). */
  async connectorLogs(name: string, lines = 0): Promise<string> {
    return (await this.broker.call('ConnectorLogs', { name, lines })).text;
  }
}

function watchIterator(broker: BrokerClient, kinds: string[], signal?: AbortSignal): AsyncIterator<MetadataChange> {
  const buffered: MetadataChange[] = [];
  let head = 0;
  let failure: Error | null = null;
  let done = signal?.aborted ?? false;
  let handle: StreamHandle | null = null;
  let waiter: ((r: IteratorResult<MetadataChange>) => void) | null = null;
  let waiterReject: ((e: unknown) => void) | null = null;
  let opening: Promise<void> | null = null;

  const wake = () => {
    if (!waiter) return;
    const resolve = waiter;
    const reject = waiterReject!;
    waiter = waiterReject = null;
    if (head < buffered.length) resolve({ value: buffered[head++], done: false });
    else if (failure) { const e = failure; failure = null; stop(); reject(e); }
    else if (done) resolve({ value: undefined, done: true });
    else { waiter = resolve; waiterReject = reject; }
  };
  let conn: Connection | null = null;
  const stop = () => {
    done = true;
    if (handle !== null) {
      handle.detach();
      // The broker ends watches on StreamFetchClose with the watch's id too.
      if (conn !== null && !conn.closed) conn.request('StreamFetchClose', { streamId: handle.id }).catch(() => {});
    }
    handle = null;
    signal?.removeEventListener('abort', onAbort);
  };
  const onAbort = () => { stop(); wake(); };
  signal?.addEventListener('abort', onAbort, { once: true });

  const open = async () => {
    conn = await broker.connection();
    if (done) return;
    handle = conn.openStream('WatchMetadata', { kinds }, {
      onResponse: (res: WatchMetadataResponse) => {
        if (res.errorCode !== ErrorCode.None) failure = errorFromCode(res.errorCode, res.errorMessage);
        else for (const c of res.changes) buffered.push(c);
        wake();
      },
      onError: (err) => { failure = err; wake(); },
    });
  };

  return {
    async next() {
      opening ??= open();
      await opening;
      if (head < buffered.length) {
        const v = buffered[head++];
        if (head > 1024 && head * 2 > buffered.length) { buffered.splice(0, head); head = 0; }
        return { value: v, done: false };
      }
      if (failure) { const e = failure; failure = null; stop(); throw e; }
      if (done) return { value: undefined, done: true };
      return new Promise<IteratorResult<MetadataChange>>((resolve, reject) => { waiter = resolve; waiterReject = reject; });
    },
    async return() {
      stop();
      return { value: undefined, done: true };
    },
  };
}
