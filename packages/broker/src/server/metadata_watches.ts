import { ApiKey, ErrorCode, WatchMetadataResponse } from '@eddy/protocol';
import type { EddyError, MetadataChange, WatchMetadataRequest } from '@eddy/protocol';
import type { MetadataEvent, SmartModuleObject, SpuObject, TopicObject } from '../controller/index.ts';
import { MetadataKind } from '../controller/index.ts';
import type { ConnectionContext } from './connection_context.ts';
import type { ConnectionIo } from './connection_io.ts';
import { clip, errorBody } from './error_response.ts';
import { topicView } from './topic_view.ts';

const WATCH_KINDS: readonly string[] = [MetadataKind.topic, MetadataKind.spu, MetadataKind.smartmodule];

/**
 * A connection's metadata watches (WatchMetadata): a first response with every object of the
 * kinds asked for, then one per change, all under the request's correlation id, until
 * StreamFetchClose names that id or the connection ends.
 */
export class MetadataWatches {
  private readonly conn: ConnectionIo;
  private readonly ctx: ConnectionContext;
  /** Unsubscribe functions by watch id. */
  private readonly watches = new Map<number, () => void>();

  constructor(conn: ConnectionIo, ctx: ConnectionContext) {
    this.conn = conn;
    this.ctx = ctx;
  }

  /** Whether watch `id` is open. */
  has(id: number): boolean {
    return this.watches.has(id);
  }

  /** WatchMetadata: opens watch `corr` unless `inUse` (the id names one of the connection's streams). */
  open(corr: number, req: WatchMetadataRequest, inUse: boolean): void {
    const kinds = req.kinds.length > 0 ? req.kinds : WATCH_KINDS;
    const bad = kinds.find((k) => !WATCH_KINDS.includes(k));
    if (bad !== undefined || this.watches.has(corr) || inUse) {
      const msg = bad !== undefined ? `unknown metadata kind '${bad}' (expected ${WATCH_KINDS.join(', ')})` : `stream id ${corr} is already in use on this connection`;
      this.conn.respond(corr, WatchMetadataResponse, errorBody(ApiKey.WatchMetadata, ErrorCode.InvalidRequest, clip(msg)));
      return;
    }
    const { controller } = this.ctx;
    const changes: MetadataChange[] = [];
    if (kinds.includes(MetadataKind.topic)) for (const t of controller.topics()) changes.push(this.change('sync', t));
    if (kinds.includes(MetadataKind.spu)) for (const s of controller.spus()) changes.push(this.change('sync', s));
    if (kinds.includes(MetadataKind.smartmodule)) for (const m of controller.smartModules()) changes.push(this.change('sync', m));
    this.conn.respond(corr, WatchMetadataResponse, { errorCode: ErrorCode.None, errorMessage: null, changes });
    const unwatch = controller.watch((ev: MetadataEvent) => {
      this.conn.respond(corr, WatchMetadataResponse, { errorCode: ErrorCode.None, errorMessage: null, changes: [this.change(ev.op, ev.object)] });
    }, kinds);
    this.watches.set(corr, unwatch);
  }

  /** StreamFetchClose (its watch part): the client is done with watch `id`. */
  close(id: number): void {
    const unwatch = this.watches.get(id);
    if (unwatch) {
      unwatch();
      this.watches.delete(id);
    }
  }

  /** The connection ends: stop every watch, telling the client `reason` when there is one. */
  endAll(reason: EddyError | null): void {
    for (const [corr, unwatch] of this.watches) {
      unwatch();
      if (reason) this.conn.respond(corr, WatchMetadataResponse, errorBody(ApiKey.WatchMetadata, reason.code, reason.message));
    }
    this.watches.clear();
  }

  private change(op: string, o: { kind: string; name: string }): MetadataChange {
    const c: MetadataChange = { op, kind: o.kind, name: o.name, topic: null, spu: null, smartmodule: null };
    if (o.kind === MetadataKind.topic) c.topic = topicView(o as TopicObject, this.ctx.spu);
    else if (o.kind === MetadataKind.spu) { const s = o as SpuObject; c.spu = { name: s.name, spec: s.spec, status: s.status }; }
    else if (o.kind === MetadataKind.smartmodule) c.smartmodule = this.ctx.controller.moduleMeta(o as SmartModuleObject);
    return c;
  }
}
