import { EddyError, ErrorCode } from '@eddy/protocol';
import type { RequestOf, ResponseOf } from '@eddy/protocol';
import type { HandlerContext } from '../handler.ts';

/** DescribeGraph: one graph with its status. */
export function describeGraph(req: RequestOf<'DescribeGraph'>, { controller }: HandlerContext): ResponseOf<'DescribeGraph'> {
  const g = controller.graphs.get(req.name);
  if (!g) throw new EddyError(ErrorCode.GraphNotFound, `unknown graph '${req.name}'`);
  return { errorCode: ErrorCode.None, errorMessage: null, graph: controller.graphs.view(g) };
}
