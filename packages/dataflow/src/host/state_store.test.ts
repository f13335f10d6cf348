import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { crc32 } from 'node:zlib';
import { StateStore, StateSnapshotError, type SetOptions } from './state_store.ts';
import { compareHlc, type Hlc } from '../time/hlc.ts';

const b = (s: string): Uint8Array => new TextEncoder().encode(s);
const str = (u: Uint8Array | undefined): string | undefined => (u === undefined ? undefined : new TextDecoder().decode(u));
const hlc = (physical: number, counter = 0, node = 0): Hlc => ({ physical: BigInt(physical), counter, node });
/** The store's clock is ns; these tests count in ms. */
const ns = (ms: number | bigint): bigint => BigInt(ms) * 1_000_000n;

function clocked(start = 1000): { store: StateStore; clock: { t: number } } {
  const clock = { t: start };
  return { store: new StateStore(() => ns(clock.t)), clock };
}

describe('StateStore get/set/delete', () => {
  it('gets what was set, absent as undefined, and keeps its own copy of the bytes', () => {
    const { store } = clocked();
    assert.equal(store.get(b('k')), undefined);
    const v = b('v1');
    assert.equal(store.set(b('k'), v), 1);
    v[0] = 0x58; // the caller reuses its buffer (WASM memory)
    assert.equal(str(store.get(b('k'))), 'v1');
    assert.equal(store.set(b('k'), b('v2')), 1);
    assert.equal(str(store.get(b('k'))), 'v2');
    const buf = Buffer.from('v3');
    store.set(b('k'), buf);
    buf[0] = 0x58;
    assert.equal(str(store.get(b('k'))), 'v3');
  });

  it('compares keys by bytes, whatever views they arrive in', () => {
    const { store } = clocked();
    const mem = new Uint8Array([9, 1, 2, 3, 9]);
    store.set(mem.subarray(1, 4), b('x'));
    assert.equal(str(store.get(new Uint8Array([1, 2, 3]))), 'x');
    assert.equal(store.get(new Uint8Array([1, 2])), undefined);
    assert.equal(store.get(Buffer.from([1, 2, 3, 0])), undefined);
    store.set(new Uint8Array([0xff, 0x00]), b('hi'));
    assert.equal(str(store.get(Buffer.from([0xff, 0x00]))), 'hi');
  });

  it('condition 1 sets only when the key does not exist', () => {
    const { store } = clocked();
    assert.equal(store.set(b('k'), b('a'), { condition: 1 }), 1);
    assert.equal(store.set(b('k'), b('b'), { condition: 1 }), 0);
    assert.equal(store.set(b('k'), b('a'), { condition: 1 }), 0);
    assert.equal(str(store.get(b('k'))), 'a');
  });

  it('condition 2 sets only when the value is equal or the key does not exist', () => {
    const { store, clock } = clocked();
    assert.equal(store.set(b('k'), b('a'), { condition: 2 }), 1);
    assert.equal(store.set(b('k'), b('b'), { condition: 2 }), 0);
    assert.equal(str(store.get(b('k'))), 'a');
    // equal: set again, which here refreshes the expiry
    assert.equal(store.set(b('k'), b('a'), { condition: 2, expiryMs: 5 }), 1);
    clock.t += 5;
    assert.equal(store.get(b('k')), undefined);
  });

  it('refuses an unknown condition', () => {
    const { store } = clocked();
    assert.throws(() => store.set(b('k'), b('a'), { condition: 3 as 0 }), /condition 3 is not 0, 1 or 2/);
    assert.equal(store.get(b('k')), undefined);
  });

  it('delete: 1 deleted, 0 absent', () => {
    const { store } = clocked();
    assert.equal(store.delete(b('k')), 0);
    store.set(b('k'), b('a'));
    assert.equal(store.delete(b('k')), 1);
    assert.equal(store.get(b('k')), undefined);
    assert.equal(store.delete(b('k')), 0);
  });

  it('deleteIfEqual deletes only an equal value', () => {
    const { store } = clocked();
    assert.equal(store.deleteIfEqual(b('k'), b('a')), 0);
    store.set(b('k'), b('a'));
    assert.equal(store.deleteIfEqual(b('k'), b('b')), 0);
    assert.equal(store.deleteIfEqual(b('k'), b('ab')), 0);
    assert.equal(str(store.get(b('k'))), 'a');
    assert.equal(store.deleteIfEqual(b('k'), b('a')), 1);
    assert.equal(store.get(b('k')), undefined);
    const big = new Uint8Array(200).fill(7);
    store.set(b('big'), big);
    const other = big.slice();
    other[199] = 8;
    assert.equal(store.deleteIfEqual(b('big'), other), 0);
    assert.equal(store.deleteIfEqual(b('big'), big.slice()), 1);
  });

  it('size and byteSize count live entries, key plus value bytes', () => {
    const { store, clock } = clocked();
    assert.equal(store.size, 0);
    assert.equal(store.byteSize, 0);
    store.set(b('ab'), b('xyz'));
    store.set(b('c'), b(''), { expiryMs: 10 });
    assert.equal(store.size, 2);
    assert.equal(store.byteSize, 6);
    store.set(b('ab'), b('x'));
    assert.equal(store.byteSize, 4);
    clock.t += 10;
    assert.equal(store.size, 1);
    assert.equal(store.byteSize, 3);
    store.delete(b('ab'));
    assert.equal(store.size, 0);
    assert.equal(store.byteSize, 0);
  });
});

describe('StateStore expiry (event time)', () => {
  it('expires expiryMs after the HLC time of the set, and not before', () => {
    const { store, clock } = clocked(100);
    store.set(b('k'), b('a'), { expiryMs: 10 });
    clock.t = 109;
    assert.equal(str(store.get(b('k'))), 'a');
    clock.t = 110;
    assert.equal(store.get(b('k')), undefined);
  });

  it('an expired key is absent for every operation', () => {
    const setup = (): { store: StateStore; clock: { t: number } } => {
      const c = clocked(100);
      c.store.set(b('k'), b('a'), { expiryMs: 1, fence: hlc(50) });
      c.clock.t = 101;
      return c;
    };
    assert.equal(setup().store.delete(b('k')), 0);
    assert.equal(setup().store.deleteIfEqual(b('k'), b('a')), 0);
    assert.equal(setup().store.set(b('k'), b('z'), { condition: 1 }), 1);
    assert.equal(setup().store.set(b('k'), b('z'), { condition: 2 }), 1);
    // its fence went with it: a writer without a token may set it again
    const { store } = setup();
    assert.equal(store.set(b('k'), b('z')), 1);
    assert.equal(store.delete(b('k')), 1);
  });

  it('no expiry for expiryMs 0, negative or absent; a set without expiry clears an earlier one', () => {
    const { store, clock } = clocked(0);
    store.set(b('a'), b('1'), { expiryMs: 0 });
    store.set(b('b'), b('2'), { expiryMs: -5 });
    store.set(b('c'), b('3'), { expiryMs: 5 });
    store.set(b('c'), b('3'));
    clock.t = 1e12;
    assert.equal(str(store.get(b('a'))), '1');
    assert.equal(str(store.get(b('b'))), '2');
    assert.equal(str(store.get(b('c'))), '3');
  });

  it('takes bigint time and expiry (the ABI i64), and refuses NaN', () => {
    let t = 5n;
    const store = new StateStore(() => ns(t));
    store.set(b('k'), b('a'), { expiryMs: 3n });
    t = 7n;
    assert.equal(str(store.get(b('k'))), 'a');
    t = 8n;
    assert.equal(store.get(b('k')), undefined);
    store.set(b('h'), b('a'), { expiryMs: 0x7fff_ffff_ffff_ffffn });
    t = 10n ** 13n; // ms: 2286, still before the clamped expiry (u64 max ns)
    assert.equal(str(store.get(b('h'))), 'a');
    assert.throws(() => store.set(b('n'), b('a'), { expiryMs: Number.NaN }), /expiryMs is not an integer/);
  });

  it('does not use the wall clock', () => {
    const { store, clock } = clocked(0);
    store.set(b('k'), b('a'), { expiryMs: 1 });
    assert.equal(str(store.get(b('k'))), 'a'); // wall clock is far past 1 ms since the epoch
    clock.t = 1;
    assert.equal(store.get(b('k')), undefined);
  });
});

describe('StateStore fencing', () => {
  it('orders tokens by physical, counter, node', () => {
    assert.ok(compareHlc(hlc(1, 9, 9), hlc(2, 0, 0)) < 0);
    assert.ok(compareHlc(hlc(2, 1, 9), hlc(2, 2, 0)) < 0);
    assert.ok(compareHlc(hlc(2, 2, 1), hlc(2, 2, 2)) < 0);
    assert.equal(compareHlc(hlc(2, 2, 2), hlc(2, 2, 2)), 0);
  });

  it('refuses an older token or none with -2 and changes nothing', () => {
    const { store } = clocked();
    assert.equal(store.set(b('k'), b('a'), { fence: hlc(10, 5, 1) }), 1);
    for (const older of [hlc(9, 9, 9), hlc(10, 4, 9), hlc(10, 5, 0)]) {
      assert.equal(store.set(b('k'), b('x'), { fence: older }), -2);
      assert.equal(store.delete(b('k'), older), -2);
      assert.equal(store.deleteIfEqual(b('k'), b('a'), older), -2);
    }
    assert.equal(store.set(b('k'), b('x')), -2);
    assert.equal(store.delete(b('k')), -2);
    assert.equal(store.deleteIfEqual(b('k'), b('a')), -2);
    assert.equal(str(store.get(b('k'))), 'a');
  });

  it('fenced out wins over a false condition', () => {
    const { store } = clocked();
    store.set(b('k'), b('a'), { fence: hlc(10) });
    assert.equal(store.set(b('k'), b('b'), { condition: 1, fence: hlc(9) }), -2);
    assert.equal(store.set(b('k'), b('b'), { condition: 2, fence: hlc(9) }), -2);
    assert.equal(store.deleteIfEqual(b('k'), b('b'), hlc(9)), -2);
  });

  it('an equal token succeeds; a newer one succeeds and is remembered', () => {
    const { store } = clocked();
    store.set(b('k'), b('a'), { fence: hlc(10) });
    assert.equal(store.set(b('k'), b('b'), { fence: hlc(10) }), 1);
    assert.equal(store.set(b('k'), b('c'), { fence: hlc(11) }), 1);
    assert.equal(store.set(b('k'), b('d'), { fence: hlc(10) }), -2);
    assert.equal(str(store.get(b('k'))), 'c');
    assert.equal(store.deleteIfEqual(b('k'), b('c'), hlc(11)), 1);
    store.set(b('j'), b('a'), { fence: hlc(10) });
    assert.equal(store.delete(b('j'), hlc(12)), 1);
    assert.equal(store.get(b('j')), undefined);
  });

  it('a false condition with a newer token does not move the stored token', () => {
    const { store } = clocked();
    store.set(b('k'), b('a'), { fence: hlc(10) });
    assert.equal(store.set(b('k'), b('b'), { condition: 1, fence: hlc(20) }), 0);
    assert.equal(store.set(b('k'), b('c'), { fence: hlc(15) }), 1);
  });

  it('an unfenced key takes writes with or without a token; absent keys delete to 0', () => {
    const { store } = clocked();
    store.set(b('k'), b('a'));
    assert.equal(store.set(b('k'), b('b')), 1);
    assert.equal(store.delete(b('absent'), hlc(1)), 0);
    assert.equal(store.deleteIfEqual(b('k'), b('b'), hlc(1)), 1);
    assert.equal(store.set(b('k'), b('a'), { fence: hlc(3) }), 1);
    assert.equal(store.set(b('k'), b('a')), -2);
  });

  it('refuses malformed tokens', () => {
    const { store } = clocked();
    assert.throws(() => store.set(b('k'), b('a'), { fence: hlc(-1) }), RangeError);
    assert.throws(() => store.set(b('k'), b('a'), { fence: hlc(1, 2 ** 32) }), /counter/);
    assert.throws(() => store.delete(b('k'), hlc(1, 0, 0.5)), /node/);
    assert.equal(store.size, 0);
  });
});

describe('StateStore snapshot', () => {
  it('is deterministic: insertion order and history do not show', () => {
    const a = clocked().store;
    const c = clocked().store;
    a.set(b('x'), b('1'), { fence: hlc(5, 1, 2) });
    a.set(b('y'), b('2'), { expiryMs: 100 });
    a.set(b('a'), b('3'));
    c.set(b('a'), b('old'));
    c.set(b('gone'), b('z'));
    c.set(b('y'), b('2'), { expiryMs: 100 });
    c.set(b('x'), b('1'), { fence: hlc(5, 1, 2) });
    c.set(b('a'), b('3'));
    c.delete(b('gone'));
    assert.deepEqual(a.snapshot(), c.snapshot());
  });

  it('drops expired entries', () => {
    const { store, clock } = clocked(0);
    const empty = store.snapshot();
    store.set(b('k'), b('v'), { expiryMs: 2 });
    assert.notDeepEqual(store.snapshot(), empty);
    clock.t = 2;
    assert.deepEqual(store.snapshot(), empty);
  });

  it('round-trips expiry and fences', () => {
    const { store } = clocked(100);
    store.set(b('e'), b('1'), { expiryMs: 50 });
    store.set(b('f'), b('2'), { fence: hlc(2 ** 40, 7, 2 ** 32 - 1) });
    const snap = store.snapshot();
    let t = 149;
    const r = StateStore.restore(snap, () => ns(t));
    assert.deepEqual(r.snapshot(), snap);
    assert.equal(str(r.get(b('e'))), '1');
    assert.equal(r.set(b('f'), b('x'), { fence: hlc(2 ** 40, 7, 2 ** 32 - 2) }), -2);
    assert.equal(r.set(b('f'), b('x'), { fence: hlc(2 ** 40, 7, 2 ** 32 - 1) }), 1);
    t = 150;
    assert.equal(r.get(b('e')), undefined);
    // restored after the expiry: dropped at once
    assert.equal(StateStore.restore(snap, () => ns(150)).size, 1);
  });

  it('restores a version 1 snapshot (times in ms) with its times in ns', () => {
    // "EDSS", v1, 1 entry: flags expiry|fence, key "k", value "v", expiry 2000 ms, fence (1500 ms, 3, 4)
    const body = Buffer.alloc(9 + 1 + 4 + 1 + 4 + 1 + 8 + 16);
    body.writeUInt32LE(0x53534445, 0);
    body[4] = 1;
    body.writeUInt32LE(1, 5);
    let q = 9;
    body[q++] = 3;
    body.writeUInt32LE(1, q); q += 4; body[q++] = 0x6b;
    body.writeUInt32LE(1, q); q += 4; body[q++] = 0x76;
    body.writeBigUInt64LE(2000n, q); q += 8;
    body.writeBigUInt64LE(1500n, q); body.writeUInt32LE(3, q + 8); body.writeUInt32LE(4, q + 12);
    const crc = Buffer.alloc(4);
    crc.writeUInt32LE(crc32(body), 0);
    let t = ns(1999) + 999_999n;
    const r = StateStore.restore(Buffer.concat([body, crc]), () => t);
    assert.equal(str(r.get(b('k'))), 'v');
    assert.equal(r.set(b('k'), b('w'), { fence: { physical: ns(1500) - 1n, counter: 3, node: 4 } }), -2);
    assert.equal(r.set(b('k'), b('v'), { fence: { physical: ns(1500), counter: 3, node: 4 }, expiryMs: 1 }), 1);
    t = ns(2000) + 999_998n;
    assert.equal(str(r.get(b('k'))), 'v', 'the new expiry is 1 ms after the clock, to the ns');
    t += 1n;
    assert.equal(r.get(b('k')), undefined);
    // its snapshot is version 2
    assert.equal(Buffer.from(r.snapshot())[4], 2);
  });

  it('names what is wrong with a corrupt snapshot', () => {
    const { store } = clocked();
    store.set(b('a'), b('1'));
    store.set(b('b'), b('2'));
    const snap = Buffer.from(store.snapshot());
    const bad = (edit: (s: Buffer) => Buffer, re: RegExp): void => {
      assert.throws(() => StateStore.restore(edit(Buffer.from(snap)), () => 0n), (e: unknown) => e instanceof StateSnapshotError && re.test(e.message));
    };
    bad((s) => { s[0] ^= 1; return s; }, /bad magic/);
    bad((s) => { s[4] = 3; return s; }, /unknown version 3/);
    bad((s) => { s[9] = 0x80; return s; }, /entry 0 has unknown flags 0x80/);
    bad((s) => { s[14] = 0x63; return s; }, /entry 1 key is not after the previous key/);
    bad((s) => { s[19] ^= 0xff; return s; }, /checksum mismatch/);
    bad((s) => Buffer.concat([s, Buffer.from([0])]), /1 bytes after the end/);
    bad((s) => s.subarray(0, 3), /truncated: header/);
    bad((s) => s.subarray(0, s.length - 1), /truncated: checksum/);
    bad((s) => { s.writeUInt32LE(3, 5); return s; }, /truncated: entry 2 header/);
  });
});

// ---- model-based property: the store against a plain reference model ----

interface ModelEntry { value: string; expiresAt: number; fence: Hlc | undefined }
type Op =
  | { op: 'get'; key: number[] }
  | { op: 'set'; key: number[]; value: number[]; condition: 0 | 1 | 2; expiryMs: number; fence: Hlc | undefined }
  | { op: 'del'; key: number[]; fence: Hlc | undefined }
  | { op: 'delEq'; key: number[]; value: number[]; fence: Hlc | undefined }
  | { op: 'tick'; ms: number }
  | { op: 'restore' };

const hex = (a: ArrayLike<number>): string => Buffer.from(Array.from(a)).toString('hex');

/** The reference: written plainly from ABI.md, no shared code with the store. */
class Model {
  readonly m = new Map<string, ModelEntry>();
  live(k: string, now: number): ModelEntry | undefined {
    const e = this.m.get(k);
    return e !== undefined && (e.expiresAt === 0 || now < e.expiresAt) ? e : undefined;
  }
  fencedOut(e: ModelEntry, fence: Hlc | undefined): boolean {
    if (e.fence === undefined) return false;
    if (fence === undefined) return true;
    const older = fence.physical < e.fence.physical
      || (fence.physical === e.fence.physical && (fence.counter < e.fence.counter || (fence.counter === e.fence.counter && fence.node < e.fence.node)));
    return older;
  }
  apply(o: Op, now: number): unknown {
    switch (o.op) {
      case 'get': return this.live(hex(o.key), now)?.value;
      case 'set': {
        const k = hex(o.key);
        const e = this.live(k, now);
        if (e !== undefined && this.fencedOut(e, o.fence)) return -2;
        if (e !== undefined && o.condition === 1) return 0;
        if (e !== undefined && o.condition === 2 && e.value !== hex(o.value)) return 0;
        this.m.set(k, { value: hex(o.value), expiresAt: o.expiryMs > 0 ? now + o.expiryMs : 0, fence: o.fence });
        return 1;
      }
      case 'del':
      case 'delEq': {
        const k = hex(o.key);
        const e = this.live(k, now);
        if (e === undefined) return 0;
        if (this.fencedOut(e, o.fence)) return -2;
        if (o.op === 'delEq' && e.value !== hex(o.value)) return 0;
        this.m.delete(k);
        return 1;
      }
      default: return undefined;
    }
  }
  liveSize(now: number): number {
    let n = 0;
    for (const k of this.m.keys()) if (this.live(k, now) !== undefined) n++;
    return n;
  }
}

const keyArb = fc.array(fc.integer({ min: 0, max: 2 }), { maxLength: 2 });
const valueArb = fc.array(fc.constantFrom(0, 1, 255), { maxLength: 2 });
const fenceArb = fc.option(fc.record({ physical: fc.bigInt({ min: 0n, max: 3n }), counter: fc.integer({ min: 0, max: 2 }), node: fc.integer({ min: 0, max: 1 }) }), { nil: undefined });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant('get' as const), key: keyArb }),
  fc.record({ op: fc.constant('set' as const), key: keyArb, value: valueArb, condition: fc.constantFrom(0 as const, 1 as const, 2 as const), expiryMs: fc.integer({ min: -1, max: 5 }), fence: fenceArb }),
  fc.record({ op: fc.constant('del' as const), key: keyArb, fence: fenceArb }),
  fc.record({ op: fc.constant('delEq' as const), key: keyArb, value: valueArb, fence: fenceArb }),
  fc.record({ op: fc.constant('tick' as const), ms: fc.integer({ min: 0, max: 4 }) }),
  fc.record({ op: fc.constant('restore' as const) }),
);

describe('StateStore properties', () => {
  it('behaves like the reference model on random operation sequences', () => {
    fc.assert(fc.property(fc.array(opArb, { maxLength: 60 }), (ops) => {
      const clock = { t: 0 };
      const now = (): bigint => ns(clock.t);
      let store = new StateStore(now);
      const model = new Model();
      for (const o of ops) {
        let got: unknown;
        switch (o.op) {
          case 'get': got = store.get(Uint8Array.from(o.key)); got = got === undefined ? undefined : hex(got as Uint8Array); break;
          case 'set': {
            const opts: SetOptions = { condition: o.condition, expiryMs: o.expiryMs };
            if (o.fence !== undefined) opts.fence = o.fence;
            got = store.set(Uint8Array.from(o.key), Uint8Array.from(o.value), opts);
            break;
          }
          case 'del': got = store.delete(Uint8Array.from(o.key), o.fence); break;
          case 'delEq': got = store.deleteIfEqual(Uint8Array.from(o.key), Uint8Array.from(o.value), o.fence); break;
          case 'tick': clock.t += o.ms; break;
          case 'restore': {
            const snap = store.snapshot();
            store = StateStore.restore(snap, now);
            assert.deepEqual(store.snapshot(), snap);
            break;
          }
        }
        assert.deepEqual(got, model.apply(o, clock.t), `op ${JSON.stringify(o, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v))}`);
        assert.equal(store.size, model.liveSize(clock.t));
      }
    }), { numRuns: 300 });
  });

  it('snapshot → restore gives an equal store with equal bytes', () => {
    const entryArb = fc.record({
      key: fc.uint8Array({ maxLength: 6 }),
      value: fc.uint8Array({ maxLength: 20 }),
      expiryMs: fc.integer({ min: 0, max: 1e6 }),
      fence: fc.option(fc.record({ physical: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), counter: fc.nat(), node: fc.nat() }), { nil: undefined }),
    });
    fc.assert(fc.property(fc.array(entryArb, { maxLength: 30 }), (entries) => {
      const store = new StateStore(() => 0n);
      for (const e of entries) store.set(e.key, e.value, e.fence === undefined ? { expiryMs: e.expiryMs } : { expiryMs: e.expiryMs, fence: e.fence });
      const snap = store.snapshot();
      const r = StateStore.restore(snap, () => 0n);
      assert.deepEqual(r.snapshot(), snap);
      assert.equal(r.size, store.size);
      assert.equal(r.byteSize, store.byteSize);
      for (const e of entries) assert.deepEqual(r.get(e.key), store.get(e.key));
    }), { numRuns: 200 });
  });

  it('truncated snapshots always throw StateSnapshotError', () => {
    fc.assert(fc.property(
      fc.array(fc.record({ key: fc.uint8Array({ maxLength: 5 }), value: fc.uint8Array({ maxLength: 8 }), expiry: fc.boolean(), fenced: fc.boolean() }), { maxLength: 8 }),
      fc.nat(),
      (entries, cut) => {
        const store = new StateStore(() => 0n);
        for (const e of entries) store.set(e.key, e.value, { expiryMs: e.expiry ? 10 : 0, ...(e.fenced ? { fence: hlc(1) } : {}) });
        const snap = store.snapshot();
        const short = snap.subarray(0, cut % snap.length);
        assert.throws(() => StateStore.restore(short, () => 0n), StateSnapshotError);
      },
    ), { numRuns: 300 });
  });

  it('corrupt snapshots (one flipped byte) throw StateSnapshotError, never give a store', () => {
    fc.assert(fc.property(
      fc.array(fc.record({ key: fc.uint8Array({ maxLength: 5 }), value: fc.uint8Array({ maxLength: 8 }) }), { minLength: 1, maxLength: 8 }),
      fc.nat(), fc.integer({ min: 1, max: 255 }),
      (entries, at, flip) => {
        const store = new StateStore(() => 0n);
        for (const e of entries) store.set(e.key, e.value);
        const snap = Buffer.from(store.snapshot());
        snap[at % snap.length] ^= flip;
        assert.throws(() => StateStore.restore(snap, () => 0n), StateSnapshotError);
      },
    ), { numRuns: 300 });
  });
});
