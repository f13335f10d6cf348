// The state store of one graph instance (ABI.md, "State store semantics"): byte keys to byte
// values, shared by all the graph's operations in that instance and saved in its checkpoints.
// Time is the instance's HLC physical time, handed in by the caller, never the wall clock, so a
// replay gives the same answers. An expired key is absent for every operation (its fence too).
import { crc32 } from 'node:zlib';
import { compareHlc, type Hlc } from '../time/hlc.ts';

export const SetCondition = {
  unconditional: 0,
  onlyIfDoesNotExist: 1,
  onlyIfEqualOrDoesNotExist: 2,
} as const;
export type SetCondition = (typeof SetCondition)[keyof typeof SetCondition];

export interface SetOptions {
  condition?: SetCondition;
  /** > 0: the key expires this many ms after the current HLC physical time; otherwise never. */
  expiryMs?: number | bigint;
  fence?: Hlc;
}

/** 1 done, 0 not done (condition false / absent / unequal), -2 fenced out. */
export type StateResult = 1 | 0 | -2;

/** A snapshot that cannot be restored: truncated, corrupt or of an unknown format. */
export class StateSnapshotError extends Error {
  override name = 'StateSnapshotError';
}

interface Entry {
  value: Uint8Array;
  /** Physical ns at which the key expires; 0n = never. */
  expiresAt: bigint;
  fence: Hlc | undefined;
}

const MAGIC = 0x53534445; // "EDSS" read as a little-endian u32
// 2: expiry and fence times in ns; 1 (still read, converted): in ms.
const VERSION = 2;
const VERSION_MS = 1;
const HEADER = 4 + 1 + 4; // magic, version, entry count
const FLAG_EXPIRY = 1;
const FLAG_FENCE = 2;
const U32_MAX = 0xffff_ffff;
const NEVER = Number.POSITIVE_INFINITY;
const U64_MAX = (1n << 64n) - 1n;
const NS_PER_MS = 1_000_000n;

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  if (a.byteLength > 64) return Buffer.compare(asBuffer(a), asBuffer(b)) === 0;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}

function asBuffer(u: Uint8Array): Buffer {
  return Buffer.isBuffer(u) ? u : Buffer.from(u.buffer, u.byteOffset, u.byteLength);
}

/** The Map key for a byte key: latin1 maps each byte to one code unit, so string order is byte order. */
function keyString(key: Uint8Array): string {
  return asBuffer(key).toString('latin1');
}

function checkFence(fence: Hlc): void {
  const { physical, counter, node } = fence;
  if (typeof physical !== 'bigint' || physical < 0n || physical > U64_MAX) throw new RangeError(`fence physical time ${physical} is not a u64 nanosecond count`);
  if (!Number.isInteger(counter) || counter < 0 || counter > U32_MAX) throw new RangeError(`fence counter ${counter} is not a u32`);
  if (!Number.isInteger(node) || node < 0 || node > U32_MAX) throw new RangeError(`fence node ${node} is not a u32`);
}

export class StateStore {
  readonly #now: () => bigint;
  readonly #entries = new Map<string, Entry>();
  #bytes = 0;
  /** A lower bound of the earliest expiry among entries (NEVER when none expire). */
  #nextExpiry: bigint | number = NEVER;
  #opsSinceSweep = 0;

  /** `now` returns the instance's HLC physical time in ns. */
  constructor(now: () => bigint) {
    this.#now = now;
  }

  /** Live entries (expired ones are dropped first). */
  get size(): number {
    this.#sweep(this.#now());
    return this.#entries.size;
  }

  /** Key plus value bytes of the live entries. */
  get byteSize(): number {
    this.#sweep(this.#now());
    return this.#bytes;
  }

  /** The value, or undefined when absent or expired. The returned bytes are the store's: do not mutate. */
  get(key: Uint8Array): Uint8Array | undefined {
    return this.#live(keyString(key), this.#now())?.value;
  }

  set(key: Uint8Array, value: Uint8Array, options: SetOptions = {}): StateResult {
    const condition = options.condition ?? 0;
    if (condition !== 0 && condition !== 1 && condition !== 2) throw new RangeError(`state set condition ${String(condition)} is not 0, 1 or 2`);
    const fence = options.fence;
    if (fence !== undefined) checkFence(fence);
    const e = options.expiryMs ?? 0;
    if (typeof e === 'number' && !Number.isInteger(e)) throw new RangeError('state set expiryMs is not an integer');
    const expiryMs = BigInt(e);

    const now = this.#now();
    const k = keyString(key);
    const old = this.#live(k, now);
    if (old !== undefined && old.fence !== undefined && (fence === undefined || compareHlc(fence, old.fence) < 0)) return -2;
    if (old !== undefined && (condition === 1 || (condition === 2 && !bytesEqual(old.value, value)))) return 0;

    // Copy: the caller's bytes are usually a view into WASM memory that the module will reuse.
    // (new Uint8Array, not slice(): Buffer's slice() is a view.)
    const entry: Entry = {
      value: new Uint8Array(value),
      expiresAt: expiryMs > 0n ? min(now + expiryMs * NS_PER_MS, U64_MAX) : 0n,
      fence: fence === undefined ? undefined : { physical: fence.physical, counter: fence.counter, node: fence.node },
    };
    if (old !== undefined) this.#bytes -= k.length + old.value.byteLength;
    this.#put(k, entry);
    if (++this.#opsSinceSweep > this.#entries.size && now >= this.#nextExpiry) this.#sweep(now);
    return 1;
  }

  delete(key: Uint8Array, fence?: Hlc): StateResult {
    if (fence !== undefined) checkFence(fence);
    const k = keyString(key);
    const old = this.#live(k, this.#now());
    if (old === undefined) return 0;
    if (old.fence !== undefined && (fence === undefined || compareHlc(fence, old.fence) < 0)) return -2;
    this.#remove(k, old);
    return 1;
  }

  deleteIfEqual(key: Uint8Array, value: Uint8Array, fence?: Hlc): StateResult {
    if (fence !== undefined) checkFence(fence);
    const k = keyString(key);
    const old = this.#live(k, this.#now());
    if (old === undefined) return 0;
    if (old.fence !== undefined && (fence === undefined || compareHlc(fence, old.fence) < 0)) return -2;
    if (!bytesEqual(old.value, value)) return 0;
    this.#remove(k, old);
    return 1;
  }

  /** Drops the expired entries now; returns how many went. */
  purgeExpired(): number {
    const before = this.#entries.size;
    this.#nextExpiry = 0; // force the sweep
    this.#sweep(this.#now());
    return before - this.#entries.size;
  }

  /**
   * A deterministic binary snapshot of the live entries: equal stores give equal bytes.
   * Layout (little-endian): "EDSS", u8 version 2, u32 count, count × entry in ascending key byte
   * order, u32 CRC-32 of everything before it. Entry: u8 flags (1 expiry, 2 fence), u32 key
   * length, key, u32 value length, value, [u64 expiry physical ns], [16-byte HLC fence as in ABI.md].
   * Version 1 (still restored) was the same with ms for ns.
   */
  snapshot(): Uint8Array {
    this.#sweep(this.#now());
    const keys = [...this.#entries.keys()].sort();
    let size = HEADER + 4;
    for (const k of keys) {
      const e = this.#entries.get(k)!;
      size += 1 + 4 + k.length + 4 + e.value.byteLength + (e.expiresAt > 0n ? 8 : 0) + (e.fence !== undefined ? 16 : 0);
    }
    const out = Buffer.allocUnsafe(size);
    out.writeUInt32LE(MAGIC, 0);
    out.writeUInt8(VERSION, 4);
    out.writeUInt32LE(keys.length, 5);
    let pos = HEADER;
    for (const k of keys) {
      const e = this.#entries.get(k)!;
      out[pos++] = (e.expiresAt > 0n ? FLAG_EXPIRY : 0) | (e.fence !== undefined ? FLAG_FENCE : 0);
      out.writeUInt32LE(k.length, pos);
      pos += 4;
      pos += out.write(k, pos, 'latin1');
      out.writeUInt32LE(e.value.byteLength, pos);
      pos += 4;
      out.set(e.value, pos);
      pos += e.value.byteLength;
      if (e.expiresAt > 0n) {
        out.writeBigUInt64LE(e.expiresAt, pos);
        pos += 8;
      }
      if (e.fence !== undefined) {
        out.writeBigUInt64LE(e.fence.physical, pos);
        out.writeUInt32LE(e.fence.counter, pos + 8);
        out.writeUInt32LE(e.fence.node, pos + 12);
        pos += 16;
      }
    }
    out.writeUInt32LE(crc32(out.subarray(0, pos)), pos);
    return out;
  }

  /** Rebuilds a store from `snapshot()` bytes; entries already expired at `now()` are dropped. */
  static restore(bytes: Uint8Array, now: () => bigint): StateStore {
    const buf = asBuffer(bytes);
    const fail = (what: string): never => {
      throw new StateSnapshotError(`state snapshot ${what}`);
    };
    const need = (pos: number, n: number, what: string): void => {
      if (buf.byteLength - pos < n) fail(`truncated: ${what} needs ${n} bytes at offset ${pos}, ${buf.byteLength - pos} left`);
    };
    need(0, HEADER, 'header');
    if (buf.readUInt32LE(0) !== MAGIC) fail('has a bad magic number (not a state snapshot)');
    if (buf[4] !== VERSION && buf[4] !== VERSION_MS) fail(`has unknown version ${buf[4]}`);
    // version 1 times were ms: × 1e6 is exact (a result past u64 is refused below)
    const unit = buf[4] === VERSION_MS ? NS_PER_MS : 1n;
    const count = buf.readUInt32LE(5);

    const store = new StateStore(now);
    const t = now();
    let pos = HEADER;
    let prev: string | undefined;
    for (let i = 0; i < count; i++) {
      need(pos, 5, `entry ${i} header`);
      const flags = buf[pos];
      if ((flags & ~(FLAG_EXPIRY | FLAG_FENCE)) !== 0) fail(`is corrupt: entry ${i} has unknown flags 0x${flags.toString(16)}`);
      const klen = buf.readUInt32LE(pos + 1);
      pos += 5;
      need(pos, klen, `entry ${i} key`);
      const k = buf.toString('latin1', pos, pos + klen);
      pos += klen;
      if (prev !== undefined && k <= prev) fail(`is corrupt: entry ${i} key is not after the previous key`);
      prev = k;
      need(pos, 4, `entry ${i} value length`);
      const vlen = buf.readUInt32LE(pos);
      pos += 4;
      need(pos, vlen, `entry ${i} value`);
      const value = buf.subarray(pos, pos + vlen);
      pos += vlen;
      let expiresAt = 0n;
      if ((flags & FLAG_EXPIRY) !== 0) {
        need(pos, 8, `entry ${i} expiry`);
        const x = buf.readBigUInt64LE(pos) * unit;
        pos += 8;
        if (x === 0n || x > U64_MAX) fail(`is corrupt: entry ${i} expiry ${x} is out of range`);
        expiresAt = x;
      }
      let fence: Hlc | undefined;
      if ((flags & FLAG_FENCE) !== 0) {
        need(pos, 16, `entry ${i} fence`);
        const physical = buf.readBigUInt64LE(pos) * unit;
        if (physical > U64_MAX) fail(`is corrupt: entry ${i} fence time ${physical} is out of range`);
        fence = { physical, counter: buf.readUInt32LE(pos + 8), node: buf.readUInt32LE(pos + 12) };
        pos += 16;
      }
      if (expiresAt === 0n || t < expiresAt) store.#put(k, { value: new Uint8Array(value), expiresAt, fence });
    }
    need(pos, 4, 'checksum');
    if (buf.readUInt32LE(pos) !== crc32(buf.subarray(0, pos))) fail('is corrupt: checksum mismatch');
    pos += 4;
    if (pos !== buf.byteLength) fail(`is corrupt: ${buf.byteLength - pos} bytes after the end`);
    return store;
  }

  /** The entry of `k` unless absent or expired (an expired one is dropped on the way). */
  #live(k: string, now: bigint): Entry | undefined {
    const e = this.#entries.get(k);
    if (e === undefined) return undefined;
    if (e.expiresAt !== 0n && now >= e.expiresAt) {
      this.#remove(k, e);
      return undefined;
    }
    return e;
  }

  #put(k: string, e: Entry): void {
    this.#entries.set(k, e);
    this.#bytes += k.length + e.value.byteLength;
    if (e.expiresAt !== 0n && e.expiresAt < this.#nextExpiry) this.#nextExpiry = e.expiresAt;
  }

  #remove(k: string, e: Entry): void {
    this.#entries.delete(k);
    this.#bytes -= k.length + e.value.byteLength;
  }

  /** Drops expired entries when one may be due; amortised by the callers. */
  #sweep(now: bigint): void {
    this.#opsSinceSweep = 0;
    if (now < this.#nextExpiry) return;
    let next: bigint | number = NEVER;
    for (const [k, e] of this.#entries) {
      if (e.expiresAt === 0n) continue;
      if (now >= e.expiresAt) this.#remove(k, e);
      else if (e.expiresAt < next) next = e.expiresAt;
    }
    this.#nextExpiry = next;
  }
}

function min(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}
