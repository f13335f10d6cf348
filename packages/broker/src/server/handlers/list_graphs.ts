import { EddyError, ErrorCode } from '@eddy/protocol';
import type { RequestOf, ResponseOf } from '@eddy/protocol';
import type { HandlerContext } from '../handler.ts';

/** ListGraphs: the named graphs, or all, with their status. */
export function listGraphs(req: RequestOf<'ListGraphs'>, { controller }: HandlerContext): ResponseOf<'ListGraphs'> {
  let graphs = controller.graphs.list();
  if (req.names.length > 0) {
    const missing = req.names.filter((n) => !controller.graphs.get(n));
    if (missing.length > 0) throw new EddyError(ErrorCode.GraphNotFound, `unknown graph ${missing.map((n) => `'${n}'`).join(', ')}`);
    graphs = req.names.map((n) => controller.graphs.get(n)!);
  }
  return { errorCode: ErrorCode.None, errorMessage: null, graphs: graphs.map((g) => controller.graphs.view(g)) };
}
