// Turns the SmartModule invocations of a fetch or produce request into a running chain: names
// are resolved to registered wasm, ad-hoc bytes are used as sent, look-back runs once.

import { EddyError, ErrorCode } from '@eddy/protocol';
import type { SmartModuleInvocation } from '@eddy/protocol';
import { toWireError } from '@eddy/smartengine/internal';
import type { LookBackRecords, SmartChain, SmartEngine, SmartModuleSpec } from '@eddy/smartengine';
import type { LookBackWanted } from './look_back.ts';

/** A SmartModule registered on the cluster: its wasm and the ABI version it was registered with (null: the engine's default). */
export interface RegisteredWasm { wasm: Uint8Array; abiVersion: number | null }

/** The SmartModule registered on the cluster under `name`; rejects with SmartModuleNotFound. */
export type ResolveWasm = (name: string) => Promise<RegisteredWasm>;

/** Reads the records a module's look-back wants (from the partition log). */
export type LookBackReader = (want: LookBackWanted) => Promise<LookBackRecords>;

/** The name a module goes by in errors and logs. */
export function invocationName(inv: SmartModuleInvocation, index: number): string {
  if (inv.name) return inv.name;
  return `ad-hoc #${index + 1}`;
}

/** Engine specs for the invocations; throws EddyError (InvalidRequest, SmartModuleNotFound). */
export async function resolveSpecs(invocations: readonly SmartModuleInvocation[], resolveWasm: ResolveWasm): Promise<SmartModuleSpec[]> {
  return Promise.all(invocations.map(async (inv, i): Promise<SmartModuleSpec> => {
    const name = invocationName(inv, i);
    let wasm: Uint8Array;
    // The invocation's own version wins; else the one the module was registered with.
    let version = inv.version >= 0 ? inv.version : null;
    if (inv.wasm && inv.wasm.length > 0) wasm = inv.wasm;
    else if (inv.name) {
      const registered = await resolveWasm(inv.name);
      wasm = registered.wasm;
      version ??= registered.abiVersion;
    } else throw new EddyError(ErrorCode.InvalidRequest, `SmartModule #${i + 1} of the chain has neither a name nor wasm bytes`);
    const lookback = lookbackOf(inv, name);
    return {
      name,
      wasm,
      params: inv.params,
      ...(lookback ? { lookback } : {}),
      ...(inv.initialAccumulator ? { initialAccumulator: inv.initialAccumulator } : {}),
      ...(version !== null ? { version } : {}),
    };
  }));
}

function lookbackOf(inv: SmartModuleInvocation, name: string): LookBackWanted | undefined {
  const { lookbackLast: last, lookbackAgeMs: ageMs } = inv;
  for (const [what, v] of [['lookbackLast', last], ['lookbackAgeMs', ageMs]] as const) {
    if (!Number.isSafeInteger(v) || v < -1) throw new EddyError(ErrorCode.InvalidRequest, `SmartModule '${name}': ${what} must be -1 (unset) or >= 0, got ${v}`);
  }
  if (last < 0 && ageMs < 0) return undefined;
  return { ...(last >= 0 ? { last } : {}), ...(ageMs >= 0 ? { ageMs } : {}) };
}

/**
 * Instantiates the chain (each module's init runs) and feeds look-back records to the modules
 * that asked for them. Throws EddyError: SmartModuleNotFound, SmartModuleInvalid, SmartModuleInit,
 * SmartModuleRuntime (look-back error, time-out, trap, memory), InvalidRequest.
 */
export async function openChain(
  engine: SmartEngine,
  invocations: readonly SmartModuleInvocation[],
  resolveWasm: ResolveWasm,
  readLookBack: LookBackReader | null,
): Promise<SmartChain> {
  const specs = await resolveSpecs(invocations, resolveWasm);
  let chain: SmartChain;
  try {
    chain = await engine.chain(specs);
  } catch (err) {
    throw toWireError(err);
  }
  if (readLookBack && chain.modules.some((m) => m.lookback && m.hasLookBack)) {
    try {
      await chain.lookBack((m) => readLookBack(m.lookback));
    } catch (err) {
      await chain.close().catch(() => {});
      throw toWireError(err);
    }
  }
  return chain;
}
