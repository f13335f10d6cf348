import type { RequestOf, ResponseOf } from '@eddy/protocol';
import type { HandlerContext } from '../handler.ts';
import { OK } from './status_ok.ts';

/** DeleteSmartModule: removed by the controller. */
export async function deleteSmartModule(req: RequestOf<'DeleteSmartModule'>, { controller }: HandlerContext): Promise<ResponseOf<'DeleteSmartModule'>> {
  await controller.deleteSmartModule(req.name);
  return OK;
}
