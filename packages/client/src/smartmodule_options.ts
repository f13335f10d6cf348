import type { SmartModuleInvocation } from '@eddy/protocol';

/**
 * A SmartModule to run on a produce or a stream: one registered on the cluster (`name`) or ad-hoc
 * wasm bytes. The engine picks the transform from the module's exports; `kind` is a hint.
 */
export interface SmartModuleOptions {
  name?: string;
  wasm?: Uint8Array;
  kind?: 'filter' | 'map' | 'filter-map' | 'array-map' | 'aggregate' | (string & {});
  params?: Record<string, string>;
  /** Look back over the last N records and/or records younger than ageMs before streaming. */
  lookback?: { last?: number; ageMs?: number };
  /** Starting accumulator for aggregate modules. */
  initialAccumulator?: Uint8Array | string;
  /** ABI version; default newest. */
  version?: number;
}

export function toInvocation(s: SmartModuleOptions): SmartModuleInvocation {
  if ((s.name == null) === (s.wasm == null)) {
    throw new TypeError('a SmartModule needs exactly one of name or wasm');
  }
  const acc = s.initialAccumulator;
  return {
    name: s.name ?? null,
    wasm: s.wasm == null ? null : toBuffer(s.wasm),
    kind: s.kind ?? null,
    params: { ...(s.params ?? {}) },
    lookbackLast: s.lookback?.last ?? -1,
    lookbackAgeMs: s.lookback?.ageMs ?? -1,
    initialAccumulator: acc == null ? null : typeof acc === 'string' ? Buffer.from(acc) : toBuffer(acc),
    version: s.version ?? -1,
  };
}

function toBuffer(u: Uint8Array): Buffer {
  return Buffer.isBuffer(u) ? u : Buffer.from(u.buffer, u.byteOffset, u.byteLength);
}
