import { createHash } from 'node:crypto';
import { mkdir, open, readFile, rename, rm, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { EddyError, ErrorCode, UnknownTopicError, ModuleKind, MODULE_VERSION_RE, formatModuleRef, parseModuleRef } from '@eddy/protocol';
import type { TopicSpec, TopicStatus, SpuSpec, SpuStatus, SmartModuleSpec, SmartModuleMeta, ConnectorSpec, ConnectorStatus } from '@eddy/protocol';
import { SMARTMODULE_MIN_VERSION, SMARTMODULE_LATEST_VERSION } from '@eddy/smartengine';
import { writeFileAtomic } from '../util/atomic_write.ts';
import type { MetadataListener, MetadataObject, MetadataStore } from './metadata_store.ts';
import { resolveTopicSpec, validateTopicName } from './topic_spec.ts';
import { GraphRegistry } from './graph_registry.ts';
import type { GraphLoader } from './graph_registry.ts';
import { compareNames } from '../util/compare_names.ts';
import { connectorBin } from '../connectors/connector_types.ts';
import { connectorFiles } from '../connectors/connector_files.ts';
import { parseSecrets } from '../connectors/connector_secrets.ts';

export const MetadataKind = { topic: 'topic', spu: 'spu', smartmodule: 'smartmodule', graph: 'graph', connector: 'connector' } as const;

export type TopicObject = MetadataObject<TopicSpec, TopicStatus>;
export type SpuObject = MetadataObject<SpuSpec, SpuStatus>;
export interface SmartModuleStatus { resolution: 'Ready' }
export type SmartModuleObject = MetadataObject<SmartModuleSpec, SmartModuleStatus>;
export type ConnectorObject = MetadataObject<ConnectorSpec, ConnectorStatus>;

/** What runs connectors (the broker's supervisor): the controller stops one before deleting it. */
export interface ConnectorRuntime {
  stop(name: string): Promise<void>;
}

const CONNECTOR_NAME_RE = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const SECRET_REF_RE = /\$\{\{\s*secrets\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

/**
 * What the controller asks of the SPUs (Fluvio's SC -> SPU direction): create or open a topic's
 * partitions, and remove them with their data. Passed in, so the controller imports no SPU code.
 */
export interface PartitionProvisioner {
  provisionTopic(name: string, spec: TopicSpec): Promise<void>;
  removeTopic(name: string): Promise<void>;
}

export interface ControllerOptions {
  store: MetadataStore;
  /** SmartModule wasm files go under `<dataDir>/smartmodules/`. */
  dataDir: string;
  provisioner: PartitionProvisioner;
  /** The SPU that leads every partition in a single-SPU cluster. */
  localSpuId: number;
  logger?: Logger;
  /** Validates graph definitions (default: @eddy/dataflow's loadGraph, loaded on first use). */
  loadGraph?: GraphLoader;
}

/** The slice of the WebAssembly global used here (the compile target's lib has no DOM types). */
const Wasm = (globalThis as unknown as {
  WebAssembly: {
    compile(bytes: Uint8Array): Promise<object>;
    Module: { exports(module: object): { name: string; kind: string }[] };
  };
}).WebAssembly;

const SM_TRANSFORMS = ['filter', 'map', 'filter_map', 'array_map', 'aggregate'] as const;
const SM_EXPORTS = new Set<string>([...SM_TRANSFORMS, 'init', 'look_back']);
const SM_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._@/-]{0,127}$/;
/** The ABI's operator types, in its order (graph_<type> exports). */
const GRAPH_OPERATORS = ['map', 'filter', 'branch', 'accumulate', 'delay'] as const;
const GRAPH_EXPORTS = new Set<string>(['graph_abi_version', 'graph_init', ...GRAPH_OPERATORS.map((t) => `graph_${t}`)]);

function graphOperatorsOf(exports: readonly string[]): string[] {
  return GRAPH_OPERATORS.filter((t) => exports.includes(`graph_${t}`));
}

/**
 * The SC: owns topics, partitions (assignment to SPUs), SPUs and SmartModules in the metadata
 * store. Admin changes are serialised; every durable change is visible through `watch`.
 */
export class Controller {
  readonly store: MetadataStore;
  readonly smartModuleDir: string;
  readonly dataDir: string;
  private connectorRuntime: ConnectorRuntime | null = null;
  private provisioner: PartitionProvisioner;
  private localSpuId: number;
  private logger: Logger | undefined;
  private lock: Promise<unknown> = Promise.resolve();
  /** Topics whose create failed but whose Pending record could not be removed yet. */
  private failedCreates = new Set<string>();
  /** Dataflow graphs (kind 'graph'); the broker's graph runner reports status through it. */
  readonly graphs: GraphRegistry;

  constructor(opts: ControllerOptions) {
    this.store = opts.store;
    this.smartModuleDir = join(opts.dataDir, 'smartmodules');
    this.dataDir = opts.dataDir;
    this.provisioner = opts.provisioner;
    this.localSpuId = opts.localSpuId;
    this.logger = opts.logger;
    this.graphs = new GraphRegistry({
      store: this.store,
      logger: this.logger,
      loadGraph: opts.loadGraph,
      topicExists: (name) => this.topic(name) !== undefined,
      moduleOperators: (ref) => {
        const found = this.findModules(ref);
        if (found.length !== 1 || found[0].spec.kind !== ModuleKind.graphOperator) return found.length === 1 ? new Set() : undefined;
        return new Set(found[0].spec.operators);
      },
      exclusive: (fn) => this.exclusive(fn),
    });
  }

  /**
   * Brings SPUs in line with the store after a start or a crash: finishes deletions that were
   * under way, and opens (or creates) the partitions of every other topic.
   */
  async reconcile(): Promise<void> {
    await this.exclusive(async () => {
      for (const t of this.store.list<TopicSpec, TopicStatus>(MetadataKind.topic)) {
        if (t.status.resolution === 'Deleting') {
          await this.provisioner.removeTopic(t.name);
          await this.store.delete(MetadataKind.topic, t.name);
          this.logger?.info({ topic: t.name }, 'finished deleting topic');
          continue;
        }
        if (t.status.resolution === 'Pending') {
          // A create that never answered (crash, or a failure whose clean-up could not be saved):
          // nobody was told it exists, so undo it rather than surface a topic the client gave up on.
          await this.provisioner.removeTopic(t.name);
          await this.store.delete(MetadataKind.topic, t.name);
          this.logger?.info({ topic: t.name }, 'removed a topic whose creation did not finish');
          continue;
        }
        await this.provisioner.provisionTopic(t.name, t.spec);
        if (t.status.resolution !== 'Provisioned') {
          await this.store.put({ ...t, status: this.provisionedStatus(t.spec) });
        }
      }
    });
  }

  // ---- topics ---------------------------------------------------------------------------------

  topics(): TopicObject[] {
    return this.store.list<TopicSpec, TopicStatus>(MetadataKind.topic).filter((t) => this.visible(t));
  }

  topic(name: string): TopicObject | undefined {
    const t = this.store.get<TopicSpec, TopicStatus>(MetadataKind.topic, name);
    return t && this.visible(t) ? t : undefined;
  }

  /** Topics being deleted, and failed creates whose record could not be removed yet, are gone. */
  private visible(t: TopicObject): boolean {
    return t.status.resolution !== 'Deleting' && !this.failedCreates.has(t.name);
  }

  /** Validates, fills defaults, persists and provisions. With dryRun only validates. */
  async createTopic(name: string, input: Partial<TopicSpec>, dryRun = false): Promise<TopicObject> {
    validateTopicName(name);
    const spus = Math.max(1, this.spus().length);
    const spec = resolveTopicSpec(input, spus);
    return this.exclusive(async () => {
      if (this.store.get(MetadataKind.topic, name) && !this.failedCreates.has(name)) {
        throw new EddyError(ErrorCode.TopicAlreadyExists, `topic '${name}' already exists`);
      }
      const obj: TopicObject = { kind: MetadataKind.topic, name, spec, status: this.provisionedStatus(spec) };
      if (dryRun) return obj;
      // Pending first: a crash while creating folders leaves a Pending record that reconcile()
      // undoes. The store changes memory only once a write is durable, so a failed write here
      // leaves nothing to undo.
      await this.store.put({ ...obj, status: { resolution: 'Pending', reason: '', partitions: [] } });
      this.failedCreates.delete(name);
      try {
        await this.provisioner.provisionTopic(name, spec);
        await this.store.put(obj);
      } catch (err) {
        await this.undoCreate(name);
        if (err instanceof EddyError) throw err;
        throw new EddyError(ErrorCode.StorageError, `could not create topic '${name}': ${(err as Error).message}`, { cause: err });
      }
      this.logger?.info({ topic: name, spec }, 'created topic');
      return obj;
    });
  }

  /**
   * Takes back a create that failed after its Pending record was saved: the folders go at once;
   * if the record cannot be removed either (the disk is still full), the topic is hidden and the
   * removal retried until it is saved, so no phantom topic is listed or blocks a retry.
   */
  private async undoCreate(name: string): Promise<void> {
    await this.provisioner.removeTopic(name).catch(() => {});
    try {
      await this.store.delete(MetadataKind.topic, name);
    } catch (err) {
      this.failedCreates.add(name);
      this.logger?.warn({ topic: name, err: (err as Error).message }, 'could not remove a failed topic create; retrying');
      const retry = setInterval(() => {
        if (!this.failedCreates.has(name)) { clearInterval(retry); return; }
        void this.exclusive(async () => {
          if (!this.failedCreates.has(name)) return;
          const t = this.store.get<TopicSpec, TopicStatus>(MetadataKind.topic, name);
          if (t && t.status.resolution === 'Pending') await this.store.delete(MetadataKind.topic, name);
          this.failedCreates.delete(name);
          clearInterval(retry);
          this.logger?.info({ topic: name }, 'removed the record of a failed topic create');
        }).catch(() => { /* still failing: next tick */ });
      }, 1000);
      retry.unref();
    }
  }

  /** Removes the topic and all its data. */
  async deleteTopic(name: string): Promise<void> {
    await this.exclusive(async () => {
      const t = this.store.get<TopicSpec, TopicStatus>(MetadataKind.topic, name);
      if (!t) throw new UnknownTopicError(name);
      const users = this.graphs.usingTopic(name);
      if (users.length > 0) {
        throw new EddyError(ErrorCode.InvalidRequest, `topic '${name}' is used by graph ${users.map((g) => `'${g}'`).join(', ')}: delete the graph first`);
      }
      // Deleting first: a crash mid-delete resumes in reconcile() rather than leaving half a topic.
      await this.store.put({ ...t, status: { ...t.status, resolution: 'Deleting' } });
      await this.provisioner.removeTopic(name);
      await this.store.delete(MetadataKind.topic, name);
      this.logger?.info({ topic: name }, 'deleted topic');
    });
  }

  private provisionedStatus(spec: TopicSpec): TopicStatus {
    const partitions = [];
    for (let p = 0; p < spec.partitions; p++) {
      partitions.push({ partition: p, leader: this.localSpuId, status: 'Online', logStartOffset: 0, highWatermark: 0, sizeBytes: 0, damage: '', lostOffsets: 0 });
    }
    return { resolution: 'Provisioned', reason: '', partitions };
  }

  // ---- SPUs -----------------------------------------------------------------------------------

  spus(): SpuObject[] {
    return this.store.list<SpuSpec, SpuStatus>(MetadataKind.spu);
  }

  /** Registers (or updates) an SPU and records whether it is serving. */
  async registerSpu(spec: SpuSpec, resolution: 'Online' | 'Offline'): Promise<void> {
    await this.store.put({ kind: MetadataKind.spu, name: String(spec.id), spec, status: { resolution } });
  }

  async setSpuStatus(id: number, resolution: 'Online' | 'Offline'): Promise<void> {
    const s = this.store.get<SpuSpec, SpuStatus>(MetadataKind.spu, String(id));
    if (!s) return;
    await this.store.put({ ...s, status: { resolution } });
  }

  // ---- SmartModules and graph operator modules (one registry, versioned) ------------------------

  /**
   * Every module version, as stored. Store keys are `name:version`; keys without ':' come from
   * before versions (their version is in the spec). Use `moduleMeta` for the name and spec.
   */
  smartModules(): SmartModuleObject[] {
    return this.store.list<SmartModuleSpec, SmartModuleStatus>(MetadataKind.smartmodule);
  }

  /** The wire view of a stored module: bare name, spec with kind and operators filled in. */
  moduleMeta(obj: MetadataObject): SmartModuleMeta {
    const spec = obj.spec as SmartModuleSpec;
    const exports = spec.exports ?? [];
    const graph = exports.includes('graph_abi_version');
    return {
      name: parseModuleRef(obj.name).name,
      spec: {
        ...spec,
        kind: spec.kind ?? (graph ? ModuleKind.graphOperator : ModuleKind.smartmodule),
        operators: spec.operators ?? (graph ? graphOperatorsOf(exports) : []),
        // Stored before ABI versions were recorded: the engine's default.
        abiVersion: spec.abiVersion ?? null,
      },
    };
  }

  /** Every module version, sorted by name then creation. */
  moduleVersions(): SmartModuleMeta[] {
    return this.smartModules().map((o) => this.moduleMeta(o))
      .sort((a, b) => compareNames(a.name, b.name) || a.spec.createdMs - b.spec.createdMs || compareNames(a.spec.version, b.spec.version));
  }

  /** The versions `ref` names: all of a bare name's, or the one `name:version` (possibly none). */
  findModules(ref: string): SmartModuleMeta[] {
    const { name, version } = parseModuleRef(ref);
    return this.moduleVersions().filter((m) => m.name === name && (version === null || m.spec.version === version));
  }

  /** The one version `ref` names; a bare name must have exactly one version. */
  resolveModule(ref: string): SmartModuleMeta {
    const found = this.findModules(ref);
    if (found.length === 0) throw new EddyError(ErrorCode.SmartModuleNotFound, `SmartModule '${ref}' not found`);
    if (found.length > 1) {
      throw new EddyError(ErrorCode.SmartModuleNotFound, `SmartModule '${ref}' has ${found.length} versions (${found.map((m) => m.spec.version).join(', ')}): name one as '${ref}:VERSION'`);
    }
    return found[0];
  }

  /** Compatibility: the stored object of the module `ref` names, or undefined. */
  smartModule(ref: string): SmartModuleObject | undefined {
    const found = this.findModules(ref);
    if (found.length !== 1) return undefined;
    return this.storedModule(found[0].name, found[0].spec.version);
  }

  private storedModule(name: string, version: string): SmartModuleObject | undefined {
    return this.store.get<SmartModuleSpec, SmartModuleStatus>(MetadataKind.smartmodule, formatModuleRef(name, version))
      ?? this.smartModules().find((o) => o.name === name && o.spec.version === version);
  }

  /**
   * Checks the wasm compiles and is a SmartModule (exports a transform) or a graph operator module
   * (exports graph_abi_version and at least one graph_<type>), stores it by content hash, records
   * it as `name:version`. Versions of one name coexist. `abiVersion` is the SmartModule ABI
   * version streams call it with when they name none (null: the engine's default).
   */
  async createSmartModule(name: string, version: string, description: string, wasm: Uint8Array, abiVersion: number | null = null): Promise<SmartModuleObject> {
    if (!SM_NAME_RE.test(name)) {
      throw new EddyError(ErrorCode.InvalidRequest, `invalid SmartModule name ${JSON.stringify(name.slice(0, 140))}: use 1..128 characters of [A-Za-z0-9._@/-]`);
    }
    if (!MODULE_VERSION_RE.test(version)) {
      throw new EddyError(ErrorCode.InvalidRequest, `invalid version ${JSON.stringify(version.slice(0, 80))} of '${name}': use 1..64 characters of [A-Za-z0-9._+-]`);
    }
    const ref = formatModuleRef(name, version);
    if (abiVersion !== null && !(Number.isInteger(abiVersion) && abiVersion >= SMARTMODULE_MIN_VERSION && abiVersion <= SMARTMODULE_LATEST_VERSION)) {
      throw new EddyError(ErrorCode.InvalidRequest, `invalid ABI version ${abiVersion} of '${ref}': SmartModule ABI versions are ${SMARTMODULE_MIN_VERSION} to ${SMARTMODULE_LATEST_VERSION}`);
    }
    let all: string[];
    try {
      const mod = await Wasm.compile(wasm);
      all = Wasm.Module.exports(mod).filter((e) => e.kind === 'function').map((e) => e.name);
    } catch (err) {
      throw new EddyError(ErrorCode.SmartModuleInvalid, `SmartModule '${ref}' is not valid WebAssembly: ${(err as Error).message}`);
    }
    let exports: string[];
    let kind: ModuleKind;
    let operators: string[] = [];
    if (all.includes('graph_abi_version')) {
      kind = ModuleKind.graphOperator;
      exports = all.filter((e) => GRAPH_EXPORTS.has(e));
      operators = graphOperatorsOf(exports);
      if (operators.length === 0) {
        throw new EddyError(ErrorCode.SmartModuleInvalid, `graph operator module '${ref}' exports none of ${GRAPH_OPERATORS.map((t) => `graph_${t}`).join(', ')}`);
      }
      if (abiVersion !== null) {
        throw new EddyError(ErrorCode.InvalidRequest, `graph operator module '${ref}' takes no SmartModule ABI version (it declares its own with graph_abi_version)`);
      }
    } else {
      kind = ModuleKind.smartmodule;
      exports = all.filter((e) => SM_EXPORTS.has(e));
      if (!exports.some((e) => (SM_TRANSFORMS as readonly string[]).includes(e))) {
        throw new EddyError(ErrorCode.SmartModuleInvalid, `SmartModule '${ref}' exports none of ${SM_TRANSFORMS.join(', ')} (nor graph_abi_version, for a graph operator module)`);
      }
    }
    const sha256 = createHash('sha256').update(wasm).digest('hex');
    return this.exclusive(async () => {
      if (this.storedModule(name, version)) throw new EddyError(ErrorCode.SmartModuleExists, `SmartModule '${ref}' already exists`);
      await mkdir(this.smartModuleDir, { recursive: true });
      await writeFileAtomic(this.wasmPath(sha256), wasm);
      const spec: SmartModuleSpec = { version, description, exports, kind, operators, sizeBytes: wasm.length, sha256, createdMs: Date.now(), abiVersion };
      const obj: SmartModuleObject = { kind: MetadataKind.smartmodule, name: ref, spec, status: { resolution: 'Ready' } };
      await this.store.put(obj);
      this.logger?.info({ smartmodule: name, version, kind, sizeBytes: wasm.length, ...(abiVersion !== null ? { abiVersion } : {}) }, 'created SmartModule');
      return obj;
    });
  }

  /**
   * Deletes `name:version`, or every version of a bare `name`. A version that an applied graph
   * uses is refused (delete the graph first). Resolves to the references deleted.
   */
  async deleteSmartModule(ref: string): Promise<string[]> {
    return this.exclusive(async () => {
      const found = this.findModules(ref);
      if (found.length === 0) throw new EddyError(ErrorCode.SmartModuleNotFound, `SmartModule '${ref}' not found`);
      for (const m of found) {
        const full = formatModuleRef(m.name, m.spec.version);
        const users = this.graphs.usersOf(full);
        if (users.length > 0) {
          throw new EddyError(ErrorCode.InvalidRequest, `SmartModule '${full}' is used by graph ${users.map((g) => `'${g}'`).join(', ')}: delete the graph first`);
        }
      }
      const deleted: string[] = [];
      for (const m of found) {
        const obj = this.storedModule(m.name, m.spec.version)!;
        await this.store.delete(MetadataKind.smartmodule, obj.name);
        deleted.push(formatModuleRef(m.name, m.spec.version));
        // Files are shared by content: remove only when no other module holds the same bytes.
        if (!this.smartModules().some((o) => o.spec.sha256 === m.spec.sha256)) {
          await unlink(this.wasmPath(m.spec.sha256)).catch(() => {});
        }
      }
      this.logger?.info({ smartmodule: ref, deleted }, 'deleted SmartModule');
      return deleted;
    });
  }

  /** The wasm bytes of the SmartModule `ref` names (for the SmartModule engine; not graph modules). */
  async smartModuleWasm(ref: string): Promise<Buffer> {
    return (await this.registeredSmartModule(ref)).wasm;
  }

  /**
   * What the SmartModule engine runs for `ref`: its wasm and the ABI version it was registered
   * with (null: the engine's default). Graph operator modules are refused.
   */
  async registeredSmartModule(ref: string): Promise<{ wasm: Buffer; abiVersion: number | null }> {
    const m = this.resolveModule(ref);
    if (m.spec.kind === ModuleKind.graphOperator) {
      throw new EddyError(ErrorCode.SmartModuleInvalid, `'${formatModuleRef(m.name, m.spec.version)}' is a graph operator module, not a SmartModule`);
    }
    return { wasm: await readFile(this.wasmPath(m.spec.sha256)), abiVersion: m.spec.abiVersion };
  }

  /** The wasm bytes of any registered module version (the graph runner loads operators with it). */
  async moduleWasm(ref: string): Promise<Buffer> {
    return readFile(this.wasmPath(this.resolveModule(ref).spec.sha256));
  }

  private wasmPath(sha256: string): string {
    return join(this.smartModuleDir, `${sha256}.wasm`);
  }

  // ---- connectors (kind 'connector'; the broker's supervisor runs them) ------------------------
  //
  // Secrets are kept out of the metadata store: they go to `<dataDir>/connectors/<name>/secrets.env`
  // (0600, in a 0700 folder) and the store holds only their names. Every read path (list,
  // describe, WatchMetadata, a future replicated store) then has no value to leak or redact.

  connectors(): ConnectorObject[] {
    return this.store.list<ConnectorSpec, ConnectorStatus>(MetadataKind.connector).sort((a, b) => compareNames(a.name, b.name));
  }

  connector(name: string): ConnectorObject | undefined {
    return this.store.get<ConnectorSpec, ConnectorStatus>(MetadataKind.connector, name);
  }

  setConnectorRuntime(runtime: ConnectorRuntime | null): void {
    this.connectorRuntime = runtime;
  }

  /** Creates the connector its config's meta.name names; refuses a name already there. */
  async createConnector(config: string, secrets: string | null): Promise<ConnectorObject> {
    return this.putConnector(config, secrets, false);
  }

  /** Replaces an existing connector's config (and secrets, unless null); the supervisor restarts it. */
  async updateConnector(config: string, secrets: string | null): Promise<ConnectorObject> {
    return this.putConnector(config, secrets, true);
  }

  private async putConnector(config: string, secrets: string | null, update: boolean): Promise<ConnectorObject> {
    const { name, type } = await connectorMeta(config);
    connectorBin(type);
    const values = secrets === null ? null : parseSecrets(secrets);
    return this.exclusive(async () => {
      const old = this.connector(name);
      if (update && !old) throw new EddyError(ErrorCode.ConnectorNotFound, `unknown connector '${name}'`);
      if (!update && old) throw new EddyError(ErrorCode.ConnectorExists, `connector '${name}' already exists (change it with update)`);
      const files = connectorFiles(this.dataDir, name);
      const secretNames = values !== null ? [...values.keys()].sort() : old?.spec.secretNames ?? [];
      for (const m of config.matchAll(SECRET_REF_RE)) {
        if (!secretNames.includes(m[1]) && process.env[m[1]] === undefined) {
          throw new EddyError(ErrorCode.InvalidConfig, `secret '${m[1]}' is not set (give it with --secrets FILE)`);
        }
      }
      await mkdir(files.dir, { recursive: true, mode: 0o700 });
      if (values !== null) await writePrivateFile(files.secrets, secrets!);
      else if (!update) await rm(files.secrets, { force: true });
      const now = Date.now();
      const spec: ConnectorSpec = {
        type, config, secretNames,
        generation: (old?.spec.generation ?? 0) + 1,
        createdMs: old?.spec.createdMs ?? now,
        updatedMs: now,
      };
      const obj: ConnectorObject = {
        kind: MetadataKind.connector, name, spec,
        status: old?.status ?? { state: 'Stopped', restarts: 0, lastError: null, pid: null, startedAtMs: null },
      };
      try {
        await this.store.put(obj);
      } catch (err) {
        if (!update) await rm(files.dir, { recursive: true, force: true }).catch(() => {});
        throw err;
      }
      this.logger?.info({ connector: name, type, generation: spec.generation, secrets: secretNames.length }, update ? 'updated connector' : 'created connector');
      return obj;
    });
  }

  /** Stops the connector, forgets it and removes its files (secrets and log). */
  async deleteConnector(name: string): Promise<void> {
    await this.exclusive(async () => {
      if (!this.connector(name)) throw new EddyError(ErrorCode.ConnectorNotFound, `unknown connector '${name}'`);
      await this.connectorRuntime?.stop(name);
      await this.store.delete(MetadataKind.connector, name);
      await rm(connectorFiles(this.dataDir, name).dir, { recursive: true, force: true });
      this.logger?.info({ connector: name }, 'deleted connector');
    });
  }

  /** Records what the supervisor observed of generation `generation` (ignored once replaced or deleted). */
  async setConnectorStatus(name: string, generation: number, status: ConnectorStatus): Promise<void> {
    await this.exclusive(async () => {
      const c = this.connector(name);
      if (!c || c.spec.generation !== generation) return;
      await this.store.put({ ...c, status });
    });
  }

  // ---- watching and lifecycle -----------------------------------------------------------------

  watch(listener: MetadataListener, kinds?: readonly string[]): () => void {
    return this.store.watch(listener, kinds);
  }

  async close(): Promise<void> {
    await this.lock.catch(() => {});
    await this.store.close();
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.lock.then(fn, fn);
    this.lock = run.catch(() => {});
    return run;
  }
}

/**
 * meta.name and meta.type of a connector config (Fluvio's format), each checked. The YAML parser
 * loads on first use: an idle broker without connectors should not carry it.
 */
async function connectorMeta(config: string): Promise<{ name: string; type: string }> {
  const { parse: parseYaml } = await import('yaml');
  let doc: unknown;
  try {
    doc = parseYaml(config);
  } catch (err) {
    throw new EddyError(ErrorCode.InvalidConfig, `connector config is not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  const meta = doc !== null && typeof doc === 'object' ? (doc as { meta?: unknown }).meta : undefined;
  if (meta === null || typeof meta !== 'object') throw new EddyError(ErrorCode.InvalidConfig, 'connector config has no meta section');
  const { name, type } = meta as { name?: unknown; type?: unknown };
  if (typeof name !== 'string' || !CONNECTOR_NAME_RE.test(name)) {
    throw new EddyError(ErrorCode.InvalidConfig, `meta.name: expected a connector name of lowercase letters, digits and '-' (up to 63), got ${JSON.stringify(name ?? null)?.slice(0, 80)}`);
  }
  if (typeof type !== 'string' || type === '') throw new EddyError(ErrorCode.InvalidConfig, 'meta.type: expected the connector type (e.g. http-source)');
  return { name, type };
}

/** Writes `text` readable by this user only, replacing the file whole. */
async function writePrivateFile(path: string, text: string): Promise<void> {
  const tmp = `${path}.tmp`;
  const fh = await open(tmp, 'w', 0o600);
  try {
    await fh.writeFile(text);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, path);
}
