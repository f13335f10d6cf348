/**
 * The controller's persistent state, as Fluvio models it: objects of a kind ('topic', 'spu',
 * 'smartmodule', ...) with a unique name, a desired `spec` and an observed `status`. The local file
 * store implements it today; a distributed store (etcd) can implement the same interface later.
 */
export interface MetadataObject<S = unknown, T = unknown> {
  kind: string;
  name: string;
  spec: S;
  status: T;
}

export interface MetadataEvent {
  op: 'upsert' | 'delete';
  kind: string;
  name: string;
  /** The object after an upsert; the removed object on delete. */
  object: MetadataObject;
}

export type MetadataListener = (event: MetadataEvent) => void;

export interface MetadataStore {
  get<S, T>(kind: string, name: string): MetadataObject<S, T> | undefined;
  list<S, T>(kind: string): MetadataObject<S, T>[];
  /** Creates or replaces; resolves once the change is durable. */
  put(object: MetadataObject): Promise<void>;
  /** Resolves to false when there was no such object. */
  delete(kind: string, name: string): Promise<boolean>;
  /** Calls `listener` for every durable change (of `kinds`, or all); returns an unsubscribe. */
  watch(listener: MetadataListener, kinds?: readonly string[]): () => void;
  close(): Promise<void>;
}
