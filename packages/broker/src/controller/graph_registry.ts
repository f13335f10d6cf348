import type { Logger } from 'pino';
import { EddyError, ErrorCode, formatModuleRef } from '@eddy/protocol';
import type { Graph, GraphSpec, GraphStatus } from '@eddy/protocol';
import type { MetadataListener, MetadataObject, MetadataStore } from './metadata_store.ts';
import { compareNames } from '../util/compare_names.ts';

export const GRAPH_KIND = 'graph';

/** What the broker's graph runner reports about one applied graph. */
export interface GraphRuntimeStatus {
  state: 'starting' | 'running' | 'failed' | 'stopped';
  error?: string;
  operators: { name: string; type: string; module?: string; recordsIn: number; recordsOut: number }[];
  instances: {
    partition: number;
    state: 'starting' | 'running' | 'failed' | 'stopped';
    error?: string;
    positions: { topic: string; partition: number; offset: number }[];
    frontierMs: number | null;
    frontierLagMs: number | null;
    lateMessages: number;
    checkpointMs: number | null;
  }[];
}

/**
 * Implemented by the graph runner (it watches kind 'graph' to start and stop graphs) and handed
 * to `controller.graphs.setStatusSource`. Undefined = the runner has not picked the graph up yet.
 */
export interface GraphStatusSource {
  status(name: string): GraphRuntimeStatus | undefined;
}

/** An operation as validation found it: what `list` and `describe` show before the runner reports. */
export interface GraphOperationSummary { name: string; type: string; module: string | null }

/** What the controller stores as a graph's status: the validated operations. */
export interface GraphStoredStatus { operations: GraphOperationSummary[] }

export type GraphObject = MetadataObject<GraphSpec, GraphStoredStatus>;

/** The slice of @eddy/dataflow's `loadGraph` used here (its result types, structurally). */
export type GraphLoader = (
  text: string,
  options: {
    file: string;
    params: Record<string, string>;
    resolveModule: (ref: { name: string; version: string }) => ReadonlySet<string> | undefined;
  },
) => GraphLoadResult | Promise<GraphLoadResult>;

export type GraphLoadResult =
  | { ok: true; plan: { operations: { name: string; type: string; module?: { name: string; version: string } }[] } }
  | { ok: false; errors: { text: string }[] };

export interface GraphRegistryOptions {
  store: MetadataStore;
  logger?: Logger;
  loadGraph?: GraphLoader;
  topicExists(name: string): boolean;
  /** Operator types of a registered module version; undefined when there is none. */
  moduleOperators(ref: string): ReadonlySet<string> | undefined;
  /** The controller's admin lock: graph changes are serialised with module deletions. */
  exclusive<T>(fn: () => Promise<T>): Promise<T>;
}

const GRAPH_NAME_RE = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * Dataflow graphs in the metadata store (kind 'graph'): validated on apply against the module
 * registry and the topics, listed with the runner's status.
 */
export class GraphRegistry {
  private readonly opts: GraphRegistryOptions;
  private statusSource: GraphStatusSource | null = null;
  private loader: GraphLoader | null;

  constructor(opts: GraphRegistryOptions) {
    this.opts = opts;
    this.loader = opts.loadGraph ?? null;
  }

  /** The runner reports here; null detaches it (status falls back to 'starting'). */
  setStatusSource(source: GraphStatusSource | null): void {
    this.statusSource = source;
  }

  list(): GraphObject[] {
    return this.opts.store.list<GraphSpec, GraphStoredStatus>(GRAPH_KIND).sort((a, b) => compareNames(a.name, b.name));
  }

  get(name: string): GraphObject | undefined {
    return this.opts.store.get<GraphSpec, GraphStoredStatus>(GRAPH_KIND, name);
  }

  /** Graph changes as they become durable (the runner starts, replaces and stops graphs on them). */
  watch(listener: MetadataListener): () => void {
    return this.opts.store.watch(listener, [GRAPH_KIND]);
  }

  /** Graphs whose definition uses the module version `ref` (`name:version`). */
  usersOf(ref: string): string[] {
    return this.list().filter((g) => g.status.operations.some((o) => o.module === ref)).map((g) => g.name);
  }

  /** Graphs reading from or writing to `topic`. */
  usingTopic(topic: string): string[] {
    return this.list().filter((g) => g.spec.sources.includes(topic) || g.spec.sink === topic || g.spec.lateTopic === topic).map((g) => g.name);
  }

  /**
   * Validates and stores (creates or replaces) a graph. Throws GraphInvalid with the validator's
   * lines, UnknownTopic for a missing source, sink or late topic, InvalidRequest for bad fields.
   */
  async apply(input: GraphSpec, file: string, dryRun: boolean): Promise<{ created: boolean; operations: number; object: GraphObject }> {
    const name = input.name;
    if (typeof name !== 'string' || !GRAPH_NAME_RE.test(name)) {
      throw new EddyError(ErrorCode.InvalidRequest, `invalid graph name ${JSON.stringify(String(name).slice(0, 80))}: use 1..63 lowercase letters, digits and -, starting and ending with a letter or digit`);
    }
    if (input.sources.length === 0) throw new EddyError(ErrorCode.InvalidRequest, `graph '${name}' needs at least one source topic`);
    if (new Set(input.sources).size !== input.sources.length) throw new EddyError(ErrorCode.InvalidRequest, `graph '${name}' names a source topic twice`);
    if (input.sources.includes(input.sink)) throw new EddyError(ErrorCode.InvalidRequest, `graph '${name}': topic '${input.sink}' cannot be both a source and the sink`);
    if (!Number.isSafeInteger(input.allowedLatenessMs) || input.allowedLatenessMs < 0) {
      throw new EddyError(ErrorCode.InvalidRequest, `graph '${name}': allowed lateness must be >= 0 ms, got ${input.allowedLatenessMs}`);
    }
    if (input.lateTopic !== null && input.lateTopic !== undefined && (input.lateTopic === input.sink || input.sources.includes(input.lateTopic))) {
      throw new EddyError(ErrorCode.InvalidRequest, `graph '${name}': the late topic '${input.lateTopic}' must differ from the sources and the sink`);
    }
    return this.opts.exclusive(async () => {
      // Under the admin lock: a module version cannot be deleted between validation and the write.
      const operations = await this.validate(input, file || `${name}.yaml`);
      const missing = [...input.sources, input.sink, ...(input.lateTopic ? [input.lateTopic] : [])].filter((t) => !this.opts.topicExists(t));
      if (missing.length > 0) {
        const role = (t: string) => (input.sources.includes(t) ? 'source' : t === input.sink ? 'sink' : 'late');
        throw new EddyError(ErrorCode.UnknownTopic, `graph '${name}': unknown ${missing.map((t) => `${role(t)} topic '${t}'`).join(', ')}`);
      }
      const before = this.get(name);
      const object: GraphObject = {
        kind: GRAPH_KIND,
        name,
        spec: { ...input, lateTopic: input.lateTopic || null, createdMs: before?.spec.createdMs ?? Date.now() },
        status: { operations },
      };
      if (!dryRun) {
        await this.opts.store.put(object);
        this.opts.logger?.info({ graph: name, operations: operations.length, replaced: !!before }, before ? 'replaced graph' : 'created graph');
      }
      return { created: !before, operations: operations.length, object };
    });
  }

  async delete(name: string): Promise<void> {
    await this.opts.exclusive(async () => {
      if (!(await this.opts.store.delete(GRAPH_KIND, name))) throw new EddyError(ErrorCode.GraphNotFound, `unknown graph '${name}'`);
      this.opts.logger?.info({ graph: name }, 'deleted graph');
    });
  }

  /** The wire view: spec plus the runner's status, or 'starting' with the validated operations. */
  view(g: GraphObject): Graph {
    const rt = this.statusSource?.status(g.name);
    let status: GraphStatus;
    if (rt === undefined) {
      status = {
        state: 'starting',
        error: null,
        operators: g.status.operations.map((o) => ({ name: o.name, type: o.type, module: o.module, recordsIn: 0, recordsOut: 0 })),
        instances: [],
      };
    } else {
      status = {
        state: rt.state,
        error: rt.error ?? null,
        // A runner that has not built the graph yet reports no operators: show the validated ones.
        operators: rt.operators.length === 0
          ? g.status.operations.map((o) => ({ name: o.name, type: o.type, module: o.module, recordsIn: 0, recordsOut: 0 }))
          : rt.operators.map((o) => ({ name: o.name, type: o.type, module: o.module ?? null, recordsIn: o.recordsIn, recordsOut: o.recordsOut })),
        instances: rt.instances.map((i) => ({
          partition: i.partition,
          state: i.state,
          error: i.error ?? null,
          positions: i.positions.map((p) => ({ topic: p.topic, partition: p.partition, offset: p.offset })),
          frontierMs: i.frontierMs,
          frontierLagMs: i.frontierLagMs,
          lateMessages: i.lateMessages,
          checkpointMs: i.checkpointMs,
        })),
      };
    }
    return { name: g.name, spec: g.spec, status };
  }

  private async validate(spec: GraphSpec, file: string): Promise<GraphOperationSummary[]> {
    const loadGraph = await this.graphLoader();
    const result = await loadGraph(spec.definition, {
      file,
      params: spec.params,
      resolveModule: (ref) => this.opts.moduleOperators(formatModuleRef(ref.name, ref.version)),
    });
    if (!result.ok) {
      throw new EddyError(ErrorCode.GraphInvalid, result.errors.map((e) => e.text).join('\n'));
    }
    return result.plan.operations.map((o) => ({
      name: o.name,
      type: o.type,
      module: o.module ? formatModuleRef(o.module.name, o.module.version) : null,
    }));
  }

  private async graphLoader(): Promise<GraphLoader> {
    if (this.loader) return this.loader;
    // Loaded on first use: brokers that never see a graph do not load the validator.
    const specifier = '@eddy/dataflow';
    const mod = (await import(specifier)) as { loadGraph?: GraphLoader };
    if (typeof mod.loadGraph !== 'function') {
      throw new EddyError(ErrorCode.GraphInvalid, 'graph validation is not available on this broker (@eddy/dataflow has no loadGraph)');
    }
    this.loader = mod.loadGraph;
    return this.loader;
  }
}
