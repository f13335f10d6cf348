import { EddyError, ErrorCode } from '@eddy/protocol';
import type { RequestOf, ResponseOf } from '@eddy/protocol';
import type { HandlerContext } from '../handler.ts';
import { OK } from './status_ok.ts';

/** OffsetCommit: stores a consumer's offsets for partitions this SPU leads. */
export async function offsetCommit(req: RequestOf<'OffsetCommit'>, { spu }: HandlerContext): Promise<ResponseOf<'OffsetCommit'>> {
  for (const p of req.partitions) {
    spu.requireLeader(req.topic, p.partition);
    if (!Number.isSafeInteger(p.offset) || p.offset < 0) {
      throw new EddyError(ErrorCode.InvalidRequest, `cannot commit offset ${p.offset} for ${req.topic}/${p.partition}: offsets are >= 0`);
    }
  }
  await spu.consumerOffsets.commit(req.consumer, req.topic, req.partitions);
  return OK;
}
