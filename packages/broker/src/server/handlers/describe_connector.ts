import { EddyError, ErrorCode } from '@eddy/protocol';
import type { RequestOf, ResponseOf } from '@eddy/protocol';
import type { HandlerContext } from '../handler.ts';

/** DescribeConnector: one connector's config, secret names and status. */
export function describeConnector(req: RequestOf<'DescribeConnector'>, { controller }: HandlerContext): ResponseOf<'DescribeConnector'> {
  const c = controller.connector(req.name);
  if (!c) throw new EddyError(ErrorCode.ConnectorNotFound, `unknown connector '${req.name}'`);
  return { errorCode: ErrorCode.None, errorMessage: null, connector: { name: c.name, spec: c.spec, status: c.status } };
}
