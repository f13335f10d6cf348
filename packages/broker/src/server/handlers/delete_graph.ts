import type { RequestOf, ResponseOf } from '@eddy/protocol';
import type { HandlerContext } from '../handler.ts';
import { OK } from './status_ok.ts';

/** DeleteGraph: stops and removes a graph. */
export async function deleteGraph(req: RequestOf<'DeleteGraph'>, { controller }: HandlerContext): Promise<ResponseOf<'DeleteGraph'>> {
  await controller.graphs.delete(req.name);
  return OK;
}
