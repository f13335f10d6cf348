import type { ApiName, RequestOf, ResponseOf } from '@eddy/protocol';
import type { Controller } from '../controller/index.ts';
import type { Spu } from '../spu/index.ts';

/** What request handlers work with. */
export interface HandlerContext {
  controller: Controller;
  spu: Spu;
}

/** A request-response API `N`: decoded request in, response body out; throws EddyError. */
export type Handler<N extends ApiName> = (req: RequestOf<N>, ctx: HandlerContext) => ResponseOf<N> | Promise<ResponseOf<N>>;

/** A handler once looked up by api key at run time, where the request's type is not known statically. */
export type AnyHandler = (req: any, ctx: HandlerContext) => unknown;
