import { EddyError, ErrorCode } from '@eddy/protocol';
import type { RequestOf, ResponseOf } from '@eddy/protocol';
import type { HandlerContext } from '../handler.ts';

/** ListSmartModules: every version of the named modules, or of all. */
export function listSmartModules(req: RequestOf<'ListSmartModules'>, { controller }: HandlerContext): ResponseOf<'ListSmartModules'> {
  let mods = controller.moduleVersions();
  if (req.names.length > 0) {
    const missing = req.names.filter((n) => controller.findModules(n).length === 0);
    if (missing.length > 0) throw new EddyError(ErrorCode.SmartModuleNotFound, `SmartModule ${missing.map((n) => `'${n}'`).join(', ')} not found`);
    mods = req.names.flatMap((n) => controller.findModules(n));
  }
  return { errorCode: ErrorCode.None, errorMessage: null, modules: mods };
}
