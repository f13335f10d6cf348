import { ErrorCode } from '@eddy/protocol';
import type { RequestOf, ResponseOf } from '@eddy/protocol';
import type { HandlerContext } from '../handler.ts';

/** ListSpus: every registered SPU with its status. */
export function listSpus(_req: RequestOf<'ListSpus'>, { controller }: HandlerContext): ResponseOf<'ListSpus'> {
  return {
    errorCode: ErrorCode.None,
    errorMessage: null,
    spus: controller.spus().map((s) => ({ name: s.name, spec: s.spec, status: s.status })),
  };
}
