import type { RequestOf, ResponseOf } from '@eddy/protocol';
import type { HandlerContext } from '../handler.ts';
import { OK } from './status_ok.ts';

/** CreateSmartModule: the controller checks the wasm's exports and stores it. */
export async function createSmartModule(req: RequestOf<'CreateSmartModule'>, { controller }: HandlerContext): Promise<ResponseOf<'CreateSmartModule'>> {
  await controller.createSmartModule(req.name, req.version, req.description, req.wasm, req.abiVersion ?? null);
  return OK;
}
