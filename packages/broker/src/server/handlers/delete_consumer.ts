import { EddyError, ErrorCode } from '@eddy/protocol';
import type { RequestOf, ResponseOf } from '@eddy/protocol';
import type { HandlerContext } from '../handler.ts';
import { OK } from './status_ok.ts';

/** DeleteConsumer: forgets a consumer's offsets, for one topic or all. */
export async function deleteConsumer(req: RequestOf<'DeleteConsumer'>, { spu }: HandlerContext): Promise<ResponseOf<'DeleteConsumer'>> {
  if (!(await spu.consumerOffsets.delete(req.consumer, req.topic))) {
    const where = req.topic ? ` for topic '${req.topic}'` : '';
    throw new EddyError(ErrorCode.ConsumerNotFound, `consumer '${req.consumer}' has no offsets${where}`);
  }
  return OK;
}
