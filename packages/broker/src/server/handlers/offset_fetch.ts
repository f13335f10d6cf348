import { ErrorCode, UnknownTopicError } from '@eddy/protocol';
import type { RequestOf, ResponseOf } from '@eddy/protocol';
import type { HandlerContext } from '../handler.ts';

/** OffsetFetch: a consumer's committed offsets (every partition of the topic when none are named). */
export function offsetFetch(req: RequestOf<'OffsetFetch'>, { spu }: HandlerContext): ResponseOf<'OffsetFetch'> {
  if (!spu.hasTopic(req.topic)) throw new UnknownTopicError(req.topic);
  const parts = req.partitions.length > 0 ? req.partitions : spu.partitionStatuses(req.topic).map((s) => s.partition);
  for (const p of parts) spu.requireLeader(req.topic, p);
  return {
    errorCode: ErrorCode.None,
    errorMessage: null,
    partitions: parts.map((partition) => ({ partition, offset: spu.consumerOffsets.offset(req.consumer, req.topic, partition) })),
  };
}
