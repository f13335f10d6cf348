import { ErrorCode } from '@eddy/protocol';
import type { RequestOf, ResponseOf } from '@eddy/protocol';
import type { HandlerContext } from '../handler.ts';

/** UpdateConnector: replaces an existing connector's config (secrets too, when given); it restarts with it. */
export async function updateConnector(req: RequestOf<'UpdateConnector'>, { controller }: HandlerContext): Promise<ResponseOf<'UpdateConnector'>> {
  const c = await controller.updateConnector(req.config, req.secrets);
  return { errorCode: ErrorCode.None, errorMessage: null, name: c.name };
}
