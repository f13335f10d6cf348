// One broker log line per SmartModule failure (time budget, trap, memory limit, record error):
// clients get the error in their response, operators see it here with what failed where.
import type { Logger } from 'pino';
import type { SmartModuleErrorInfo } from '@eddy/protocol';
import { EddyError, ErrorCode } from '@eddy/protocol';
import { SmartModuleFailure } from '@eddy/smartengine';
import { SmartModuleError, smartModuleMessage } from '@eddy/smartengine/errors';

export interface FailureScope {
  /** 'stream' (a consumer's streaming fetch) or 'produce' (a produce request's chain). */
  side: 'stream' | 'produce';
  topic: string;
  partition: number;
  /** The chain's id (also in the "chain opened" debug line and in guest output lines). */
  chain: number | string;
  /** Names of the chain's modules, in order. */
  modules: readonly string[];
}

/** The failing module's name when the error says which one it is, else ''. */
function moduleOf(err: unknown): string {
  if (err instanceof SmartModuleError) return err.moduleName;
  const name = (err as Partial<SmartModuleErrorInfo> | null)?.moduleName;
  return typeof name === 'string' ? name : '';
}

/** What the engine said, under the wire error (toWireError) that may wrap it. */
function original(err: unknown): unknown {
  if (err instanceof SmartModuleFailure) return err.smartModuleError;
  if (err instanceof EddyError && err.cause instanceof SmartModuleError) return err.cause;
  return err;
}

/**
 * Logs `thrown` (an engine error, possibly as its wire error, or a record error's info) as one
 * warn line. Not the engine closing under a call: that is the broker shutting down.
 */
export function logSmartModuleFailure(logger: Logger | undefined, scope: FailureScope, thrown: unknown): void {
  if (logger === undefined) return;
  if (thrown instanceof EddyError && thrown.code === ErrorCode.BrokerShuttingDown) return;
  const err = original(thrown);
  logger.warn({
    module: moduleOf(err) || scope.modules.join(','),
    topic: scope.topic,
    partition: scope.partition,
    [scope.side]: scope.chain,
    modules: scope.modules,
    reason: smartModuleMessage(err),
  }, scope.side === 'stream' ? 'SmartModule failed: stream ended' : 'SmartModule failed: produce rejected');
}
