import type { RequestOf, ResponseOf } from '@eddy/protocol';
import type { HandlerContext } from '../handler.ts';

/** ListOffsets: a partition's offsets (earliest, latest, or by time), from the SPU. */
export function listOffsets(req: RequestOf<'ListOffsets'>, ctx: HandlerContext): Promise<ResponseOf<'ListOffsets'>> {
  return ctx.spu.listOffsets(req);
}
