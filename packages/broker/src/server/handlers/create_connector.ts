import { ErrorCode } from '@eddy/protocol';
import type { RequestOf, ResponseOf } from '@eddy/protocol';
import type { HandlerContext } from '../handler.ts';

/** CreateConnector: stores a new connector (its config's meta.name); the broker's supervisor starts it. */
export async function createConnector(req: RequestOf<'CreateConnector'>, { controller }: HandlerContext): Promise<ResponseOf<'CreateConnector'>> {
  const c = await controller.createConnector(req.config, req.secrets);
  return { errorCode: ErrorCode.None, errorMessage: null, name: c.name };
}
