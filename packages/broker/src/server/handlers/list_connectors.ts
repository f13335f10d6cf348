import { EddyError, ErrorCode } from '@eddy/protocol';
import type { RequestOf, ResponseOf } from '@eddy/protocol';
import type { HandlerContext } from '../handler.ts';

/** ListConnectors: the named connectors, or all, with their status (secret names only, never values). */
export function listConnectors(req: RequestOf<'ListConnectors'>, { controller }: HandlerContext): ResponseOf<'ListConnectors'> {
  let all = controller.connectors();
  if (req.names.length > 0) {
    const missing = req.names.filter((n) => !controller.connector(n));
    if (missing.length > 0) throw new EddyError(ErrorCode.ConnectorNotFound, `unknown connector ${missing.map((n) => `'${n}'`).join(', ')}`);
    all = req.names.map((n) => controller.connector(n)!);
  }
  return { errorCode: ErrorCode.None, errorMessage: null, connectors: all.map((c) => ({ name: c.name, spec: c.spec, status: c.status })) };
}
