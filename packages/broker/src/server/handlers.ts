import { Apis, ApiKey, EddyError, ErrorCode, UnknownTopicError } from '@eddy/protocol';
import type {
  ApiVersionsResponse, ApplyGraphRequest, ApplyGraphResponse, DescribeGraphResponse, ListGraphsResponse, ListConsumersResponse, ListPartitionsResponse, ListSmartModulesResponse,
  ListSpusResponse, ListTopicsResponse, OffsetFetchResponse, StatusResponse,
} from '@eddy/protocol';
import type { Controller } from '../controller/index.ts';
import type { Spu } from '../spu/index.ts';
import { topicView } from './topic_view.ts';
import { compareNames } from '../util/compare_names.ts';

export const BROKER_VERSION = '0.1.0';

export interface HandlerContext {
  controller: Controller;
  spu: Spu;
}

/** A request-response API: decoded request in, response body out; throws EddyError. */
export type Handler = (req: any) => Promise<unknown> | unknown;

const OK: StatusResponse = { errorCode: ErrorCode.None, errorMessage: null };

/** Handlers of every API answered with exactly one response (streams are the connection's). */
export function createHandlers(ctx: HandlerContext): Map<number, Handler> {
  const { controller, spu } = ctx;
  const h = new Map<number, Handler>();

  h.set(ApiKey.ApiVersions, (): ApiVersionsResponse => ({
    errorCode: ErrorCode.None,
    errorMessage: null,
    serverVersion: BROKER_VERSION,
    apis: Object.values(Apis).map((a) => ({ apiKey: a.key, minVersion: a.minVersion, maxVersion: a.maxVersion })),
  }));

  h.set(ApiKey.Produce, (req) => spu.produce(req));
  h.set(ApiKey.ListOffsets, (req) => spu.listOffsets(req));

  h.set(ApiKey.OffsetCommit, async (req: { consumer: string; topic: string; partitions: { partition: number; offset: number }[] }) => {
    for (const p of req.partitions) {
      spu.requireLeader(req.topic, p.partition);
      if (!Number.isSafeInteger(p.offset) || p.offset < 0) {
        throw new EddyError(ErrorCode.InvalidRequest, `cannot commit offset ${p.offset} for ${req.topic}/${p.partition}: offsets are >= 0`);
      }
    }
    await spu.consumerOffsets.commit(req.consumer, req.topic, req.partitions);
    return OK;
  });

  h.set(ApiKey.OffsetFetch, (req: { consumer: string; topic: string; partitions: number[] }): OffsetFetchResponse => {
    if (!spu.hasTopic(req.topic)) throw new UnknownTopicError(req.topic);
    const parts = req.partitions.length > 0 ? req.partitions : spu.partitionStatuses(req.topic).map((s) => s.partition);
    for (const p of parts) spu.requireLeader(req.topic, p);
    return {
      errorCode: ErrorCode.None,
      errorMessage: null,
      partitions: parts.map((partition) => ({ partition, offset: spu.consumerOffsets.offset(req.consumer, req.topic, partition) })),
    };
  });

  h.set(ApiKey.ListConsumers, (req: { topic: string | null }): ListConsumersResponse => {
    if (req.topic && !controller.topic(req.topic)) throw new UnknownTopicError(req.topic);
    return { errorCode: ErrorCode.None, errorMessage: null, consumers: spu.consumerOffsets.list(req.topic) };
  });

  h.set(ApiKey.DeleteConsumer, async (req: { consumer: string; topic: string | null }) => {
    if (!(await spu.consumerOffsets.delete(req.consumer, req.topic))) {
      const where = req.topic ? ` for topic '${req.topic}'` : '';
      throw new EddyError(ErrorCode.ConsumerNotFound, `consumer '${req.consumer}' has no offsets${where}`);
    }
    return OK;
  });

  h.set(ApiKey.CreateTopic, async (req: { name: string; spec: Parameters<Controller['createTopic']>[1]; dryRun: boolean }) => {
    await controller.createTopic(req.name, req.spec, req.dryRun);
    return OK;
  });

  h.set(ApiKey.DeleteTopic, async (req: { name: string }) => {
    await controller.deleteTopic(req.name);
    return OK;
  });

  h.set(ApiKey.ListTopics, (req: { names: string[] }): ListTopicsResponse => {
    let topics;
    if (req.names.length === 0) {
      topics = controller.topics().sort((a, b) => compareNames(a.name, b.name));
    } else {
      const missing = req.names.filter((n) => !controller.topic(n));
      if (missing.length === 1) throw new UnknownTopicError(missing[0]);
      if (missing.length > 1) throw new EddyError(ErrorCode.UnknownTopic, `unknown topics ${missing.map((n) => `'${n}'`).join(', ')}`);
      topics = req.names.map((n) => controller.topic(n)!);
    }
    return { errorCode: ErrorCode.None, errorMessage: null, topics: topics.map((t) => topicView(t, spu)) };
  });

  h.set(ApiKey.ListPartitions, (req: { topic: string | null }): ListPartitionsResponse => {
    let topics;
    if (req.topic) {
      const t = controller.topic(req.topic);
      if (!t) throw new UnknownTopicError(req.topic);
      topics = [t];
    } else {
      topics = controller.topics().sort((a, b) => compareNames(a.name, b.name));
    }
    const partitions = topics.flatMap((t) => topicView(t, spu).status.partitions.map((status) => ({ topic: t.name, status })));
    return { errorCode: ErrorCode.None, errorMessage: null, partitions };
  });

  h.set(ApiKey.ListSpus, (): ListSpusResponse => ({
    errorCode: ErrorCode.None,
    errorMessage: null,
    spus: controller.spus().map((s) => ({ name: s.name, spec: s.spec, status: s.status })),
  }));

  h.set(ApiKey.CreateSmartModule, async (req: { name: string; version: string; description: string; wasm: Buffer }) => {
    await controller.createSmartModule(req.name, req.version, req.description, req.wasm);
    return OK;
  });

  h.set(ApiKey.DeleteSmartModule, async (req: { name: string }) => {
    await controller.deleteSmartModule(req.name);
    return OK;
  });

  h.set(ApiKey.ListSmartModules, (req: { names: string[] }): ListSmartModulesResponse => {
    let mods = controller.moduleVersions();
    if (req.names.length > 0) {
      const missing = req.names.filter((n) => controller.findModules(n).length === 0);
      if (missing.length > 0) throw new EddyError(ErrorCode.SmartModuleNotFound, `SmartModule ${missing.map((n) => `'${n}'`).join(', ')} not found`);
      mods = req.names.flatMap((n) => controller.findModules(n));
    }
    return { errorCode: ErrorCode.None, errorMessage: null, modules: mods };
  });

  h.set(ApiKey.ApplyGraph, async (req: ApplyGraphRequest): Promise<ApplyGraphResponse> => {
    const r = await controller.graphs.apply(req.spec, req.file, req.dryRun);
    return { errorCode: ErrorCode.None, errorMessage: null, created: r.created, operations: r.operations };
  });

  h.set(ApiKey.ListGraphs, (req: { names: string[] }): ListGraphsResponse => {
    let graphs = controller.graphs.list();
    if (req.names.length > 0) {
      const missing = req.names.filter((n) => !controller.graphs.get(n));
      if (missing.length > 0) throw new EddyError(ErrorCode.GraphNotFound, `unknown graph ${missing.map((n) => `'${n}'`).join(', ')}`);
      graphs = req.names.map((n) => controller.graphs.get(n)!);
    }
    return { errorCode: ErrorCode.None, errorMessage: null, graphs: graphs.map((g) => controller.graphs.view(g)) };
  });

  h.set(ApiKey.DescribeGraph, (req: { name: string }): DescribeGraphResponse => {
    const g = controller.graphs.get(req.name);
    if (!g) throw new EddyError(ErrorCode.GraphNotFound, `unknown graph '${req.name}'`);
    return { errorCode: ErrorCode.None, errorMessage: null, graph: controller.graphs.view(g) };
  });

  h.set(ApiKey.DeleteGraph, async (req: { name: string }) => {
    await controller.graphs.delete(req.name);
    return OK;
  });

  return h;
}
