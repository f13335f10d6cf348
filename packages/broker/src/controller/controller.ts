import { createHash } from 'node:crypto';
import { mkdir, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { EddyError, ErrorCode, UnknownTopicError } from '@eddy/protocol';
import type { TopicSpec, TopicStatus, SpuSpec, SpuStatus, SmartModuleSpec } from '@eddy/protocol';
import { writeFileAtomic } from '../util/atomic_write.ts';
import type { MetadataListener, MetadataObject, MetadataStore } from './metadata_store.ts';
import { resolveTopicSpec, validateTopicName } from './topic_spec.ts';

export const MetadataKind = { topic: 'topic', spu: 'spu', smartmodule: 'smartmodule' } as const;

export type TopicObject = MetadataObject<TopicSpec, TopicStatus>;
export type SpuObject = MetadataObject<SpuSpec, SpuStatus>;
export interface SmartModuleStatus { resolution: 'Ready' }
export type SmartModuleObject = MetadataObject<SmartModuleSpec, SmartModuleStatus>;

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

/**
 * The SC: owns topics, partitions (assignment to SPUs), SPUs and SmartModules in the metadata
 * store. Admin changes are serialised; every durable change is visible through `watch`.
 */
export class Controller {
  readonly store: MetadataStore;
  readonly smartModuleDir: string;
  private provisioner: PartitionProvisioner;
  private localSpuId: number;
  private logger: Logger | undefined;
  private lock: Promise<unknown> = Promise.resolve();

  constructor(opts: ControllerOptions) {
    this.store = opts.store;
    this.smartModuleDir = join(opts.dataDir, 'smartmodules');
    this.provisioner = opts.provisioner;
    this.localSpuId = opts.localSpuId;
    this.logger = opts.logger;
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
        await this.provisioner.provisionTopic(t.name, t.spec);
        if (t.status.resolution !== 'Provisioned') {
          await this.store.put({ ...t, status: this.provisionedStatus(t.spec) });
        }
      }
    });
  }

  // ---- topics ---------------------------------------------------------------------------------

  topics(): TopicObject[] {
    return this.store.list<TopicSpec, TopicStatus>(MetadataKind.topic).filter((t) => t.status.resolution !== 'Deleting');
  }

  topic(name: string): TopicObject | undefined {
    const t = this.store.get<TopicSpec, TopicStatus>(MetadataKind.topic, name);
    return t && t.status.resolution !== 'Deleting' ? t : undefined;
  }

  /** Validates, fills defaults, persists and provisions. With dryRun only validates. */
  async createTopic(name: string, input: Partial<TopicSpec>, dryRun = false): Promise<TopicObject> {
    validateTopicName(name);
    const spus = Math.max(1, this.spus().length);
    const spec = resolveTopicSpec(input, spus);
    return this.exclusive(async () => {
      if (this.store.get(MetadataKind.topic, name)) {
        throw new EddyError(ErrorCode.TopicAlreadyExists, `topic '${name}' already exists`);
      }
      const obj: TopicObject = { kind: MetadataKind.topic, name, spec, status: this.provisionedStatus(spec) };
      if (dryRun) return obj;
      // Pending first: if we crash while creating folders, reconcile() completes the job.
      await this.store.put({ ...obj, status: { resolution: 'Pending', reason: '', partitions: [] } });
      try {
        await this.provisioner.provisionTopic(name, spec);
      } catch (err) {
        await this.provisioner.removeTopic(name).catch(() => {});
        await this.store.delete(MetadataKind.topic, name).catch(() => {});
        throw new EddyError(ErrorCode.StorageError, `could not create topic '${name}': ${(err as Error).message}`, { cause: err });
      }
      await this.store.put(obj);
      this.logger?.info({ topic: name, spec }, 'created topic');
      return obj;
    });
  }

  /** Removes the topic and all its data. */
  async deleteTopic(name: string): Promise<void> {
    await this.exclusive(async () => {
      const t = this.store.get<TopicSpec, TopicStatus>(MetadataKind.topic, name);
      if (!t) throw new UnknownTopicError(name);
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
      partitions.push({ partition: p, leader: this.localSpuId, status: 'Online', logStartOffset: 0, highWatermark: 0, sizeBytes: 0 });
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

  // ---- SmartModules ---------------------------------------------------------------------------

  smartModules(): SmartModuleObject[] {
    return this.store.list<SmartModuleSpec, SmartModuleStatus>(MetadataKind.smartmodule);
  }

  smartModule(name: string): SmartModuleObject | undefined {
    return this.store.get<SmartModuleSpec, SmartModuleStatus>(MetadataKind.smartmodule, name);
  }

  /** Checks the wasm compiles and exports a transform, stores it by content hash, records it. */
  async createSmartModule(name: string, version: string, description: string, wasm: Uint8Array): Promise<SmartModuleObject> {
    if (!SM_NAME_RE.test(name)) {
      throw new EddyError(ErrorCode.InvalidRequest, `invalid SmartModule name ${JSON.stringify(name.slice(0, 140))}: use 1..128 characters of [A-Za-z0-9._@/-]`);
    }
    let exports: string[];
    try {
      const mod = await Wasm.compile(wasm);
      exports = Wasm.Module.exports(mod).filter((e) => e.kind === 'function' && SM_EXPORTS.has(e.name)).map((e) => e.name);
    } catch (err) {
      throw new EddyError(ErrorCode.SmartModuleInvalid, `SmartModule '${name}' is not valid WebAssembly: ${(err as Error).message}`);
    }
    if (!exports.some((e) => (SM_TRANSFORMS as readonly string[]).includes(e))) {
      throw new EddyError(ErrorCode.SmartModuleInvalid, `SmartModule '${name}' exports none of ${SM_TRANSFORMS.join(', ')}`);
    }
    const sha256 = createHash('sha256').update(wasm).digest('hex');
    return this.exclusive(async () => {
      if (this.smartModule(name)) throw new EddyError(ErrorCode.SmartModuleExists, `SmartModule '${name}' already exists`);
      await mkdir(this.smartModuleDir, { recursive: true });
      await writeFileAtomic(this.wasmPath(sha256), wasm);
      const spec: SmartModuleSpec = { version, description, exports, sizeBytes: wasm.length, sha256, createdMs: Date.now() };
      const obj: SmartModuleObject = { kind: MetadataKind.smartmodule, name, spec, status: { resolution: 'Ready' } };
      await this.store.put(obj);
      this.logger?.info({ smartmodule: name, version, sizeBytes: wasm.length }, 'created SmartModule');
      return obj;
    });
  }

  async deleteSmartModule(name: string): Promise<void> {
    await this.exclusive(async () => {
      const sm = this.smartModule(name);
      if (!sm) throw new EddyError(ErrorCode.SmartModuleNotFound, `SmartModule '${name}' not found`);
      await this.store.delete(MetadataKind.smartmodule, name);
      // Files are shared by content: remove only when no other module holds the same bytes.
      if (!this.smartModules().some((m) => m.spec.sha256 === sm.spec.sha256)) {
        await unlink(this.wasmPath(sm.spec.sha256)).catch(() => {});
      }
      this.logger?.info({ smartmodule: name }, 'deleted SmartModule');
    });
  }

  /** The wasm bytes of a registered SmartModule (for the SmartModule engine). */
  async smartModuleWasm(name: string): Promise<Buffer> {
    const sm = this.smartModule(name);
    if (!sm) throw new EddyError(ErrorCode.SmartModuleNotFound, `SmartModule '${name}' not found`);
    return readFile(this.wasmPath(sm.spec.sha256));
  }

  private wasmPath(sha256: string): string {
    return join(this.smartModuleDir, `${sha256}.wasm`);
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
