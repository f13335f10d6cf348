import { mkdir, readFile, readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { EddyError, ErrorCode } from '@eddy/protocol';
import { DurableMap } from '../util/durable_map.ts';
import type { MetadataEvent, MetadataListener, MetadataObject, MetadataStore } from './metadata_store.ts';

type KindState = DurableMap<MetadataObject>;

const KIND_RE = /^[a-z][a-z0-9-]{0,62}$/;

/**
 * MetadataStore kept in memory and persisted as one JSON file per kind (`<dir>/<kind>.json`),
 * each rewritten atomically (temp + fsync + rename). Concurrent changes to a kind share one
 * write, so a burst of puts costs one fsync rather than one each. Memory changes only after the
 * write succeeded: a failed write (full disk, no descriptors) is a StorageError and leaves nothing
 * behind, so a retry starts from the same state.
 */
export class LocalMetadataStore implements MetadataStore {
  readonly dir: string;
  private kinds = new Map<string, KindState>();
  private listeners = new Set<{ fn: MetadataListener; kinds: Set<string> | null }>();
  private closed = false;

  private constructor(dir: string) {
    this.dir = dir;
  }

  static async open(dir: string): Promise<LocalMetadataStore> {
    await mkdir(dir, { recursive: true });
    const store = new LocalMetadataStore(dir);
    for (const file of await readdir(dir)) {
      if (file.startsWith('.') && file.endsWith('.tmp')) {
        // A temp file left by a crash mid-write: the rename never happened, so it is garbage.
        await unlink(join(dir, file)).catch(() => {});
        continue;
      }
      if (!file.endsWith('.json')) continue;
      const kind = file.slice(0, -5);
      if (!KIND_RE.test(kind)) continue;
      const text = await readFile(join(dir, file), 'utf8');
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch (err) {
        throw new Error(`metadata file ${join(dir, file)} is not valid JSON: ${(err as Error).message}`);
      }
      if (!Array.isArray(parsed)) throw new Error(`metadata file ${join(dir, file)} does not hold a list of objects`);
      const st = store.state(kind);
      for (const o of parsed as MetadataObject[]) {
        if (o && typeof o.name === 'string') st.load(o.name, { kind, name: o.name, spec: o.spec, status: o.status });
      }
    }
    return store;
  }

  get<S, T>(kind: string, name: string): MetadataObject<S, T> | undefined {
    return this.kinds.get(kind)?.get(name) as MetadataObject<S, T> | undefined;
  }

  list<S, T>(kind: string): MetadataObject<S, T>[] {
    const st = this.kinds.get(kind);
    return st ? ([...st.values()] as MetadataObject<S, T>[]) : [];
  }

  async put(object: MetadataObject): Promise<void> {
    this.checkOpen();
    if (!KIND_RE.test(object.kind)) throw new Error(`invalid metadata kind '${object.kind}'`);
    const copy: MetadataObject = { kind: object.kind, name: object.name, spec: object.spec, status: object.status };
    await this.write(object.kind, object.name, this.state(object.kind).set(object.name, copy));
    this.emit({ op: 'upsert', kind: object.kind, name: object.name, object: copy });
  }

  async delete(kind: string, name: string): Promise<boolean> {
    this.checkOpen();
    const st = this.kinds.get(kind);
    const old = st?.get(name);
    if (!st || !old) return false;
    await this.write(kind, name, st.delete(name));
    this.emit({ op: 'delete', kind, name, object: old });
    return true;
  }

  watch(listener: MetadataListener, kinds?: readonly string[]): () => void {
    const entry = { fn: listener, kinds: kinds && kinds.length > 0 ? new Set(kinds) : null };
    this.listeners.add(entry);
    return () => { this.listeners.delete(entry); };
  }

  async close(): Promise<void> {
    this.closed = true;
    // Let in-flight writes finish so nothing acknowledged is lost.
    for (const st of this.kinds.values()) await st.settle();
    this.listeners.clear();
  }

  private checkOpen(): void {
    if (this.closed) throw new Error('metadata store is closed');
  }

  private state(kind: string): KindState {
    let st = this.kinds.get(kind);
    if (!st) {
      st = new DurableMap<MetadataObject>(join(this.dir, `${kind}.json`), (objects) => JSON.stringify([...objects.values()], null, 1));
      this.kinds.set(kind, st);
    }
    return st;
  }

  /** Waits for a change to become durable; a failed write is a StorageError naming the object. */
  private async write(kind: string, name: string, durable: Promise<void>): Promise<void> {
    try {
      await durable;
    } catch (err) {
      // Node's message already starts with the code ("ENOSPC: no space left on device, open …").
      throw new EddyError(ErrorCode.StorageError, `could not save ${kind} '${name}': ${(err as Error).message}`, { cause: err });
    }
  }

  private emit(event: MetadataEvent): void {
    for (const l of this.listeners) {
      if (l.kinds && !l.kinds.has(event.kind)) continue;
      try { l.fn(event); } catch { /* a listener's failure is its own */ }
    }
  }
}
