/**
 * Runs the applied dataflow graphs inside the broker: watches the controller's 'graph' objects,
 * starts one worker-thread instance per source partition, replaces a graph when it is applied
 * again and stops it (removing its checkpoints) when it is deleted. Reports status to the
 * controller's registry; a failing module fails its graph, never the broker.
 */
import { createHash } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { GraphPlan } from '@eddy/dataflow';
import type { GraphMetricsExporter, MetricUpdate } from '@eddy/dataflow/internal';
import type { GraphSpec } from '@eddy/protocol';
import type { Controller } from '../controller/controller.ts';
import type { GraphObject, GraphRuntimeStatus, GraphStatusSource } from '../controller/graph_registry.ts';
import type { Spu } from '../spu/spu.ts';
import { InstanceDriver } from './instance_driver.ts';
import { DEFAULT_GRAPH_CHECKPOINT_MS, DEFAULT_GRAPH_MAX_MEMORY_BYTES, DEFAULT_GRAPH_MAX_READ_BYTES, DEFAULT_GRAPH_STEP_BUDGET_MS } from '../defaults.ts';

export interface GraphRunnerOptions {
  controller: Controller;
  spu: Spu;
  dataDir: string;
  logger: Logger;
  /** prom-client registry for module metrics (null: metrics disabled). */
  registry?: () => Promise<Registry | null>;
  checkpointIntervalMs?: number;
  stepBudgetMs?: number;
  maxMemoryBytes?: number;
  maxReadBytes?: number;
}

interface Deployment {
  name: string;
  fingerprint: string;
  plan: GraphPlan | null;
  state: GraphRuntimeStatus['state'];
  error?: string;
  instances: InstanceDriver[];
  /** Serialises start/stop of this graph. */
  busy: Promise<void>;
}

export class GraphRunner implements GraphStatusSource {
  private readonly opts: GraphRunnerOptions;
  private readonly deployments = new Map<string, Deployment>();
  private unwatch: (() => void) | null = null;
  private exporter: GraphMetricsExporter | null = null;
  private registry: Registry | null = null;
  private closed = false;

  constructor(opts: GraphRunnerOptions) {
    this.opts = opts;
  }

  private get graphsDir(): string {
    return join(this.opts.dataDir, 'graphs');
  }

  async start(): Promise<void> {
    const reg = this.opts.registry ? await this.opts.registry() : null;
    if (reg) {
      this.registry = reg;
      await this.registerMetrics(reg);
    }
    this.opts.controller.graphs.setStatusSource(this);
    this.unwatch = this.opts.controller.graphs.watch((ev) => {
      if (ev.op === 'delete') void this.remove(ev.name, true);
      else void this.deploy(ev.object as GraphObject);
    });
    for (const g of this.opts.controller.graphs.list()) void this.deploy(g);
  }

  status(name: string): GraphRuntimeStatus | undefined {
    const d = this.deployments.get(name);
    if (!d) return undefined;
    const totals = new Map<string, { name: string; type: string; module?: string; recordsIn: number; recordsOut: number }>();
    for (const op of d.plan?.operations ?? []) {
      totals.set(op.name, { name: op.name, type: op.type, module: op.module ? `${op.module.name}:${op.module.version}` : undefined, recordsIn: 0, recordsOut: 0 });
    }
    for (const inst of d.instances) {
      for (const s of inst.stats) {
        const t = totals.get(s.name);
        if (t) {
          t.recordsIn += s.recordsIn;
          t.recordsOut += s.recordsOut;
        }
      }
    }
    const now = Date.now();
    return {
      state: d.state,
      error: d.error,
      operators: [...totals.values()],
      instances: d.instances.map((i) => ({
        partition: i.partition,
        state: i.state,
        error: i.error,
        positions: [...i.positions].map(([topic, offset]) => ({ topic, partition: i.partition, offset })),
        frontierMs: i.frontier,
        frontierLagMs: i.frontier === null ? null : Math.max(0, now - i.frontier),
        lateMessages: i.lateMessages,
        checkpointMs: i.checkpointMs,
      })),
    };
  }

  private deploy(obj: GraphObject): Promise<void> {
    const name = obj.name;
    const prev = this.deployments.get(name);
    const fingerprint = fingerprintOf(obj.spec);
    if (prev && prev.fingerprint === fingerprint && prev.state !== 'failed') return prev.busy;
    const d: Deployment = { name, fingerprint, plan: null, state: 'starting', instances: [], busy: Promise.resolve() };
    d.busy = (prev?.busy ?? Promise.resolve())
      .then(async () => {
        if (prev) await this.stopDeployment(prev);
        if (this.closed || this.deployments.get(name) !== d) return;
        await this.startDeployment(d, obj.spec);
      })
      .catch((err: Error) => {
        d.state = 'failed';
        d.error = err.message;
        this.opts.logger.error({ graph: name, err: err.message }, 'graph failed to start');
      });
    this.deployments.set(name, d);
    return d.busy;
  }

  private async startDeployment(d: Deployment, spec: GraphSpec): Promise<void> {
    const { controller, spu, logger } = this.opts;
    // Loaded with the first graph: a broker without graphs does not pay for the YAML and JSON
    // Schema machinery (idle memory).
    const [{ loadGraph }, { GraphMetricsExporter }] = await Promise.all([import('@eddy/dataflow'), import('@eddy/dataflow/internal')]);
    if (this.registry && !this.exporter) this.exporter = new GraphMetricsExporter(this.registry);
    const refs = new Map<string, Uint8Array>();
    const providers = new Map<string, ReadonlySet<string>>();
    for (const m of controller.moduleVersions()) providers.set(`${m.name}:${m.spec.version}`, new Set(m.spec.operators ?? []));
    const loaded = loadGraph(spec.definition, {
      file: `${spec.name}.yaml`,
      params: spec.params,
      resolveModule: (ref) => providers.get(`${ref.name}:${ref.version}`) as ReadonlySet<never> | undefined,
    });
    if (!loaded.ok) throw new Error(loaded.errors.map((e) => e.text).join('; '));
    d.plan = loaded.plan;
    for (const op of loaded.plan.operations) {
      if (!op.module || op.type === 'concatenate') continue;
      const ref = `${op.module.name}:${op.module.version}`;
      if (!refs.has(ref)) refs.set(ref, await controller.moduleWasm(ref));
    }
    const partitionsOf = (topic: string) => spu.partitionStatuses(topic).length;
    const count = Math.max(...spec.sources.map(partitionsOf));
    const sinkPartitions = partitionsOf(spec.sink);
    if (count <= 0 || sinkPartitions <= 0) throw new Error(`graph '${spec.name}': its source or sink topic has no partitions on this broker`);
    const latePartitions = spec.lateTopic ? partitionsOf(spec.lateTopic) : 0;
    const dir = join(this.graphsDir, spec.name);
    for (let p = 0; p < count; p++) {
      const sources = spec.sources.filter((t) => p < partitionsOf(t)).map((t) => ({ topic: t, leader: spu.requireLeader(t, p) }));
      const driver = new InstanceDriver({
        graph: spec.name,
        fingerprint: d.fingerprint,
        partition: p,
        plan: loaded.plan,
        modules: [...refs],
        sources,
        sink: spu.requireLeader(spec.sink, p % sinkPartitions),
        late: spec.lateTopic ? spu.requireLeader(spec.lateTopic, p % latePartitions) : null,
        allowedLatenessMs: Number(spec.allowedLatenessMs),
        state: spec.state,
        dir,
        logger,
        checkpointIntervalMs: this.opts.checkpointIntervalMs ?? DEFAULT_GRAPH_CHECKPOINT_MS,
        stepBudgetMs: this.opts.stepBudgetMs ?? DEFAULT_GRAPH_STEP_BUDGET_MS,
        maxMemoryBytes: this.opts.maxMemoryBytes ?? DEFAULT_GRAPH_MAX_MEMORY_BYTES,
        maxReadBytes: this.opts.maxReadBytes ?? DEFAULT_GRAPH_MAX_READ_BYTES,
        onMetrics: (operation, updates: MetricUpdate[]) => this.exportMetrics(spec.name, operation, updates),
        onFailed: (_driver, message) => this.failDeployment(d, `instance ${p}: ${message}`),
      });
      d.instances.push(driver);
    }
    if (d.state === 'failed') return;
    d.state = 'running';
    for (const i of d.instances) i.start();
    logger.info({ graph: spec.name, instances: count, sources: spec.sources, sink: spec.sink }, 'graph started');
  }

  /** The runner's own figures, read from the instances when scraped. */
  private async registerMetrics(registry: Registry): Promise<void> {
    const { Gauge } = await import('prom-client');
    const each = (fn: (name: string, st: GraphRuntimeStatus) => void) => {
      for (const name of this.deployments.keys()) {
        const st = this.status(name);
        if (st) fn(name, st);
      }
    };
    new Gauge({
      name: 'eddy_graph_up', help: 'Dataflow graph state: 1 running, 0 failed or stopped', labelNames: ['graph'], registers: [registry],
      collect(this: import('prom-client').Gauge) { this.reset(); each((g, st) => this.set({ graph: g }, st.state === 'running' ? 1 : 0)); },
    });
    for (const [field, help] of [['recordsIn', 'in'], ['recordsOut', 'out']] as const) {
      new Gauge({
        name: `eddy_graph_operation_records_${help}`, help: `Messages ${help === 'in' ? 'into' : 'out of'} each graph operation since the graph started`,
        labelNames: ['graph', 'operation'], registers: [registry],
        collect(this: import('prom-client').Gauge) {
          this.reset();
          each((g, st) => { for (const op of st.operators) this.set({ graph: g, operation: op.name }, op[field]); });
        },
      });
    }
    new Gauge({
      name: 'eddy_graph_late_messages', help: 'Source messages dropped as late (behind the frontier), per graph instance',
      labelNames: ['graph', 'partition'], registers: [registry],
      collect(this: import('prom-client').Gauge) {
        this.reset();
        each((g, st) => { for (const i of st.instances) this.set({ graph: g, partition: String(i.partition) }, i.lateMessages); });
      },
    });
    new Gauge({
      name: 'eddy_graph_frontier_lag_seconds', help: 'Wall clock minus the instance frontier (event time)',
      labelNames: ['graph', 'partition'], registers: [registry],
      collect(this: import('prom-client').Gauge) {
        this.reset();
        each((g, st) => { for (const i of st.instances) if (i.frontierLagMs !== null) this.set({ graph: g, partition: String(i.partition) }, i.frontierLagMs / 1000); });
      },
    });
  }

  private exportMetrics(graph: string, operation: string, updates: MetricUpdate[]): void {
    if (!this.exporter) return;
    try {
      this.exporter.apply(graph, operation, updates);
    } catch (err) {
      this.opts.logger.warn({ graph, err: (err as Error).message }, 'graph module metric rejected');
    }
  }

  /** One instance failed: the whole graph stops with its message. */
  private failDeployment(d: Deployment, message: string): void {
    if (d.state === 'failed') return;
    d.state = 'failed';
    d.error = message;
    for (const i of d.instances) if (i.state !== 'failed') void i.stop(true);
  }

  private async stopDeployment(d: Deployment): Promise<void> {
    await Promise.all(d.instances.map((i) => i.stop(true)));
    if (d.state !== 'failed') d.state = 'stopped';
  }

  private remove(name: string, deleteData: boolean): Promise<void> {
    const d = this.deployments.get(name);
    const before = d?.busy ?? Promise.resolve();
    const done = before.then(async () => {
      if (d) await this.stopDeployment(d);
      if (this.deployments.get(name) === d) this.deployments.delete(name);
      this.exporter?.removeGraph(name);
      if (deleteData) await rm(join(this.graphsDir, name), { recursive: true, force: true });
    });
    if (d) d.busy = done.catch(() => {});
    return done;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.unwatch?.();
    this.opts.controller.graphs.setStatusSource(null);
    await Promise.all([...this.deployments.values()].map(async (d) => {
      await d.busy.catch(() => {});
      await this.stopDeployment(d);
    }));
  }
}

function fingerprintOf(spec: GraphSpec): string {
  const h = createHash('sha256');
  h.update(JSON.stringify([spec.definition, spec.sources, spec.sink, sorted(spec.params), sorted(spec.state), Number(spec.allowedLatenessMs), spec.lateTopic ?? null]));
  return h.digest('hex').slice(0, 32);
}

function sorted(r: Record<string, string>): [string, string][] {
  return Object.entries(r).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
