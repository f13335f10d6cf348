import { ErrorCode, UnknownTopicError } from '@eddy/protocol';
import type { RequestOf, ResponseOf } from '@eddy/protocol';
import type { HandlerContext } from '../handler.ts';

/** ListConsumers: consumers with committed offsets, of one topic or all. */
export function listConsumers(req: RequestOf<'ListConsumers'>, { controller, spu }: HandlerContext): ResponseOf<'ListConsumers'> {
  if (req.topic && !controller.topic(req.topic)) throw new UnknownTopicError(req.topic);
  return { errorCode: ErrorCode.None, errorMessage: null, consumers: spu.consumerOffsets.list(req.topic) };
}
