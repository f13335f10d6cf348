import type { RequestOf, ResponseOf } from '@eddy/protocol';
import type { HandlerContext } from '../handler.ts';

/** Produce: the SPU appends each partition's batches (the hot path: nothing else here). */
export function produce(req: RequestOf<'Produce'>, ctx: HandlerContext): Promise<ResponseOf<'Produce'>> {
  return ctx.spu.produce(req);
}
