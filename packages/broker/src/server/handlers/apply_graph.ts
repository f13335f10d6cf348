import { ErrorCode } from '@eddy/protocol';
import type { RequestOf, ResponseOf } from '@eddy/protocol';
import type { HandlerContext } from '../handler.ts';

/** ApplyGraph: the graph registry validates and stores (or, dry, only validates) a dataflow graph. */
export async function applyGraph(req: RequestOf<'ApplyGraph'>, { controller }: HandlerContext): Promise<ResponseOf<'ApplyGraph'>> {
  const r = await controller.graphs.apply(req.spec, req.file, req.dryRun);
  return { errorCode: ErrorCode.None, errorMessage: null, created: r.created, operations: r.operations };
}
