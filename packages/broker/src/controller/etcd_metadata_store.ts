import { ConsecutiveBreaker, circuitBreaker, handleType, retry } from 'cockatiel';
import { Etcd3, GRPCUnavailableError } from 'etcd3';
import type { IKeyValue, IOperation, IWatchResponse, Watcher } from 'etcd3';
import { EddyError, ErrorCode } from '@eddy/protocol';
import { DEFAULT_ETCD_PREFIX } from './etcd_metadata_defaults.ts';
import type { MetadataEvent, MetadataListener, MetadataObject, MetadataStore } from './metadata_store.ts';

/** Longest one etcd request may take before the write fails (a StorageError). */
const CALL_TIMEOUT_MS = 5000;
const KIND_RE = /^[a-z][a-z0-9-]{0,62}$/;

export interface EtcdMetadataStoreOptions {
  /** `host:port` or `http://host:port` of one or more etcd members. */
  endpoints: readonly string[];
  /** Every key lives under it (default '/eddy/'); ends with '/'. */
  prefix?: string;
}

/** The create revision of a key that only the active controller holds (see etcd_leader_election). */
export interface EtcdFence {
  key: string;
  createRevision: string;
}

interface Entry {
  object: MetadataObject;
  /** etcd's mod_revision of the key: what an update compares against. */
  rev: bigint;
}

interface Waiter {
  rev: bigint;
  resolve: () => void;
  reject: (err: Error) => void;
}

/**
 * MetadataStore in etcd, one key per object: `<prefix><kind>/<name>` holding the object as JSON.
 * Reads are synchronous from an in-memory view that a prefix watch keeps current, so changes
 * made by other processes through the same etcd show up here and reach `watch` listeners.
 * A write is a transaction comparing the key's mod revision with the one the view holds (and,
 * once fenced, that this process still holds the controller key), so a write based on a stale
 * view, or from a controller that lost its lease, fails instead of overwriting. It resolves
 * once etcd acknowledged it and the watch brought it into the view; a failed write is a
 * StorageError (NotLeader when fenced out) and changed nothing.
 */
export class EtcdMetadataStore implements MetadataStore {
  readonly client: Etcd3;
  readonly prefix: string;
  private view = new Map<string, Map<string, Entry>>();
  private listeners = new Set<{ fn: MetadataListener; kinds: Set<string> | null }>();
  /** The etcd revision the view reflects. */
  private applied = 0n;
  private waiters: Waiter[] = [];
  private watcher: Watcher | null = null;
  private fenceKey: EtcdFence | null = null;
  /** The last write per key from this process: the next one waits for it, so it compares with its revision. */
  private tails = new Map<string, Promise<void>>();
  private closed = false;

  private constructor(client: Etcd3, prefix: string) {
    this.client = client;
    this.prefix = prefix;
  }

  static async open(opts: EtcdMetadataStoreOptions): Promise<EtcdMetadataStore> {
    if (opts.endpoints.length === 0) throw new Error('etcd metadata store: no endpoints');
    const prefix = opts.prefix ?? DEFAULT_ETCD_PREFIX;
    if (!prefix.endsWith('/')) throw new Error(`etcd metadata store: prefix '${prefix}' must end with '/'`);
    const client = new Etcd3({
      hosts: opts.endpoints.map((e) => (/^https?:\/\//.test(e) ? e : `http://${e}`)),
      dialTimeout: CALL_TIMEOUT_MS,
      // Unary calls get a deadline so an unreachable etcd fails a write rather than hanging it; watches and lease keep-alives are streams and stay open.
      defaultCallOptions: (ctx) => (ctx.isStream ? {} : { deadline: Date.now() + CALL_TIMEOUT_MS }),
      // Only an unreachable member is retried (on the next one) and set aside for a while. The
      // client's defaults also count refusals such as "request is too large", so one oversized
      // write would retry three times and then block every write for 5 s.
      faultHandling: {
        host: () => circuitBreaker(handleType(GRPCUnavailableError), { halfOpenAfter: 1000, breaker: new ConsecutiveBreaker(3) }),
        global: retry(handleType(GRPCUnavailableError), { maxAttempts: Math.max(2, opts.endpoints.length) }),
      },
    });
    const store = new EtcdMetadataStore(client, prefix);
    try {
      await store.resync();
    } catch (err) {
      client.close();
      throw new EddyError(ErrorCode.StorageError, `could not read metadata from etcd (${opts.endpoints.join(',')}): ${(err as Error).message}`, { cause: err });
    }
    return store;
  }

  get<S, T>(kind: string, name: string): MetadataObject<S, T> | undefined {
    return this.view.get(kind)?.get(name)?.object as MetadataObject<S, T> | undefined;
  }

  list<S, T>(kind: string): MetadataObject<S, T>[] {
    const m = this.view.get(kind);
    if (!m) return [];
    // Sorted by name as the local store's are (etcd order is bytewise, which differs for non-ASCII).
    return [...m.values()].map((e) => e.object).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)) as MetadataObject<S, T>[];
  }

  async put(object: MetadataObject): Promise<void> {
    this.checkOpen();
    if (!KIND_RE.test(object.kind)) throw new Error(`invalid metadata kind '${object.kind}'`);
    const key = this.keyOf(object.kind, object.name);
    const value = JSON.stringify({ kind: object.kind, name: object.name, spec: object.spec, status: object.status });
    await this.write(object.kind, object.name, key, this.client.put(key).value(value), value);
  }

  async delete(kind: string, name: string): Promise<boolean> {
    this.checkOpen();
    const known = this.view.get(kind)?.get(name);
    if (!known) return false;
    const key = this.keyOf(kind, name);
    await this.write(kind, name, key, this.client.delete().key(key), null);
    return true;
  }

  watch(listener: MetadataListener, kinds?: readonly string[]): () => void {
    const entry = { fn: listener, kinds: kinds && kinds.length > 0 ? new Set(kinds) : null };
    this.listeners.add(entry);
    return () => { this.listeners.delete(entry); };
  }

  /**
   * From now on every write also requires `fence.key` to still have `fence.createRevision`:
   * once this process's controller lease expires, its writes fail (NotLeader) rather than
   * overwrite what the new active controller does.
   */
  fence(fence: EtcdFence | null): void {
    this.fenceKey = fence;
  }

  /** Resolves once the view reflects etcd up to `revision` (e.g. the one an election was won at). */
  async sync(revision: string | bigint): Promise<void> {
    const rev = BigInt(revision);
    if (this.applied >= rev) return;
    this.checkOpen();
    await new Promise<void>((resolve, reject) => { this.waiters.push({ rev, resolve, reject }); });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const w = this.watcher;
    this.watcher = null;
    await w?.cancel().catch(() => {});
    for (const waiter of this.waiters.splice(0)) waiter.reject(new Error('metadata store is closed'));
    this.listeners.clear();
    this.client.close();
  }

  private checkOpen(): void {
    if (this.closed) throw new Error('metadata store is closed');
  }

  private keyOf(kind: string, name: string): string {
    return `${this.prefix}${kind}/${name}`;
  }

  /** Runs `op` on `key` after this process's earlier writes to it have reached the view. */
  private write(kind: string, name: string, key: string, op: IOperation, value: string | null): Promise<void> {
    const prev = this.tails.get(key);
    const run = async (): Promise<void> => {
      if (prev) await prev.catch(() => {});
      await this.commit(kind, name, key, this.view.get(kind)?.get(name)?.rev ?? 0n, op, value);
    };
    const p = run();
    this.tails.set(key, p);
    const forget = (): void => { if (this.tails.get(key) === p) this.tails.delete(key); };
    p.then(forget, forget);
    return p;
  }

  /** Commits `op` if the key is still at `rev` (0: absent) and the fence holds; waits for the view. */
  private async commit(kind: string, name: string, key: string, rev: bigint, op: IOperation, value: string | null): Promise<void> {
    const fence = this.fenceKey;
    let txn = this.client.if(key, 'Mod', '==', rev.toString());
    if (fence) txn = txn.and(fence.key, 'Create', '==', fence.createRevision);
    const checks = fence ? [this.client.get(key), this.client.get(fence.key)] : [this.client.get(key)];
    let res;
    try {
      res = await txn.then(op).else(...checks).commit();
    } catch (err) {
      throw new EddyError(ErrorCode.StorageError, `could not save ${kind} '${name}' in etcd: ${(err as Error).message}`, { cause: err });
    }
    let at = BigInt(res.header.revision);
    if (!res.succeeded) {
      const current = res.responses[0]?.response_range?.kvs[0];
      const holder = fence ? res.responses[1]?.response_range?.kvs[0] : undefined;
      if (fence && (!holder || holder.create_revision !== fence.createRevision)) {
        throw new EddyError(ErrorCode.NotLeader, `could not save ${kind} '${name}': this controller is no longer the active one`);
      }
      // A retried request whose first attempt did commit finds its own value: that is success.
      const mine = value === null ? current === undefined : current !== undefined && current.value.toString() === value;
      if (!mine) {
        throw new EddyError(ErrorCode.StorageError, `could not save ${kind} '${name}': it was changed by another process meanwhile; retry`);
      }
      at = current ? BigInt(current.mod_revision) : at;
    }
    await this.sync(at);
  }

  /** Loads everything under the prefix and (re)starts the watch right after that revision. */
  private async resync(): Promise<void> {
    const res = await this.client.getAll().prefix(this.prefix).exec();
    const seen = new Map<string, Set<string>>();
    for (const kv of res.kvs) {
      const e = this.parse(kv);
      if (!e) continue;
      let names = seen.get(e.object.kind);
      if (!names) seen.set(e.object.kind, (names = new Set()));
      names.add(e.object.name);
      const old = this.view.get(e.object.kind)?.get(e.object.name);
      if (!old || old.rev !== e.rev) this.upsert(e);
    }
    for (const [kind, m] of this.view) {
      for (const [name, e] of m) if (!seen.get(kind)?.has(name)) this.remove(kind, name, e);
    }
    this.advance(BigInt(res.header.revision));
    if (this.closed) return;
    const watcher = this.client.watch().prefix(this.prefix).startRevision((this.applied + 1n).toString()).watcher();
    this.watcher = watcher;
    watcher.on('data', (r: IWatchResponse) => this.onWatch(r));
    watcher.on('error', () => {
      // A cancelled watch (its start revision compacted away, say): reload and diff, so the view
      // and the listeners still see every object's latest state.
      if (this.watcher !== watcher || this.closed) return;
      this.watcher = null;
      watcher.cancel().catch(() => {});
      const retry = (): void => {
        if (this.closed) return;
        this.resync().catch(() => { setTimeout(retry, 1000).unref(); });
      };
      retry();
    });
  }

  private onWatch(r: IWatchResponse): void {
    let max = 0n;
    for (const ev of r.events) {
      const rev = BigInt(ev.kv.mod_revision);
      if (rev > max) max = rev;
      if (rev <= this.applied) continue;
      if (ev.type === 'Put') {
        const e = this.parse(ev.kv);
        if (e) this.upsert(e);
      } else {
        const parsed = this.splitKey(ev.kv.key.toString());
        const old = parsed && this.view.get(parsed.kind)?.get(parsed.name);
        if (parsed && old) this.remove(parsed.kind, parsed.name, old);
      }
    }
    const header = BigInt(r.header.revision);
    this.advance(header > max ? header : max);
  }

  private advance(rev: bigint): void {
    if (rev <= this.applied) return;
    this.applied = rev;
    if (this.waiters.length === 0) return;
    const still: Waiter[] = [];
    for (const w of this.waiters) (w.rev <= rev ? w.resolve() : still.push(w));
    this.waiters = still;
  }

  private splitKey(key: string): { kind: string; name: string } | null {
    if (!key.startsWith(this.prefix)) return null;
    const rest = key.slice(this.prefix.length);
    const slash = rest.indexOf('/');
    if (slash <= 0) return null;
    const kind = rest.slice(0, slash);
    // Keys that are not objects (the controller election's '.controller', say) fail this.
    if (!KIND_RE.test(kind)) return null;
    return { kind, name: rest.slice(slash + 1) };
  }

  private parse(kv: IKeyValue): Entry | null {
    const k = this.splitKey(kv.key.toString());
    if (!k) return null;
    let o: { spec?: unknown; status?: unknown };
    try {
      o = JSON.parse(kv.value.toString()) as { spec?: unknown; status?: unknown };
    } catch {
      return null; // not written by Eddy; an object it cannot read does not exist for it
    }
    if (o === null || typeof o !== 'object') return null;
    return { object: { kind: k.kind, name: k.name, spec: o.spec, status: o.status }, rev: BigInt(kv.mod_revision) };
  }

  private upsert(e: Entry): void {
    let m = this.view.get(e.object.kind);
    if (!m) this.view.set(e.object.kind, (m = new Map()));
    m.set(e.object.name, e);
    this.emit({ op: 'upsert', kind: e.object.kind, name: e.object.name, object: e.object });
  }

  private remove(kind: string, name: string, old: Entry): void {
    this.view.get(kind)?.delete(name);
    this.emit({ op: 'delete', kind, name, object: old.object });
  }

  private emit(event: MetadataEvent): void {
    for (const l of this.listeners) {
      if (l.kinds && !l.kinds.has(event.kind)) continue;
      try { l.fn(event); } catch { /* a listener's failure is its own */ }
    }
  }
}
