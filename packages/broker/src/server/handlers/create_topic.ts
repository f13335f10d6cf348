import type { RequestOf, ResponseOf } from '@eddy/protocol';
import type { HandlerContext } from '../handler.ts';
import { OK } from './status_ok.ts';

/** CreateTopic: validated and stored by the controller (only validated on a dry run). */
export async function createTopic(req: RequestOf<'CreateTopic'>, { controller }: HandlerContext): Promise<ResponseOf<'CreateTopic'>> {
  await controller.createTopic(req.name, req.spec, req.dryRun);
  return OK;
}
