import { struct, array, i16, option, string } from '../codec/schema.ts';
import type { Infer } from '../codec/schema.ts';
import { Topic } from './topic.ts';
import { Spu } from './spu.ts';
import { SmartModuleMetaV0 } from './smartmodule_admin.ts';

/**
 * Opens a metadata watch: the first response is a full snapshot (op 'sync'), later ones carry
 * changes, all with this request's correlation id. Empty kinds = all of 'topic', 'spu', 'smartmodule'.
 */
export const WatchMetadataRequest = struct({ kinds: array(string) });
export type WatchMetadataRequest = Infer<typeof WatchMetadataRequest>;

export const MetadataChange = struct({
  /** 'sync' | 'upsert' | 'delete' */
  op: string,
  kind: string,
  name: string,
  topic: option(Topic),
  spu: option(Spu),
  /** In the v0 layout: a watcher reads abiVersion as null (ListSmartModules carries it). */
  smartmodule: option(SmartModuleMetaV0),
});
export type MetadataChange = Infer<typeof MetadataChange>;

export const WatchMetadataResponse = struct({
  errorCode: i16,
  errorMessage: option(string),
  changes: array(MetadataChange),
});
export type WatchMetadataResponse = Infer<typeof WatchMetadataResponse>;
