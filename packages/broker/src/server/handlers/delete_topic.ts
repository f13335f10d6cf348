import type { RequestOf, ResponseOf } from '@eddy/protocol';
import type { HandlerContext } from '../handler.ts';
import { OK } from './status_ok.ts';

/** DeleteTopic: removed by the controller (and its partitions by the SPU). */
export async function deleteTopic(req: RequestOf<'DeleteTopic'>, { controller }: HandlerContext): Promise<ResponseOf<'DeleteTopic'>> {
  await controller.deleteTopic(req.name);
  return OK;
}
