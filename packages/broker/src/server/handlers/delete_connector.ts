import type { RequestOf, ResponseOf } from '@eddy/protocol';
import type { HandlerContext } from '../handler.ts';
import { OK } from './status_ok.ts';

/** DeleteConnector: stops the connector's process, then removes it with its files. */
export async function deleteConnector(req: RequestOf<'DeleteConnector'>, { controller }: HandlerContext): Promise<ResponseOf<'DeleteConnector'>> {
  await controller.deleteConnector(req.name);
  return OK;
}
