import { Reader } from './reader.ts';
import { Writer } from './writer.ts';
import { DecodeError } from './decode_error.ts';

// Message layouts are declared once as schemas; encode and decode are derived from them, so a
// field can never be written in one order and read in another. Cost is per message, not per record:
// record data travels as `bytes` views.

export interface Schema<T> {
  write(w: Writer, v: T): void;
  read(r: Reader): T;
}

export type Infer<S> = S extends Schema<infer T> ? T : never;

const MAX_ARRAY = 1_000_000;

export const i8: Schema<number> = { write: (w, v) => void w.i8(v), read: (r) => r.i8() };
export const u8: Schema<number> = { write: (w, v) => void w.u8(v), read: (r) => r.u8() };
export const i16: Schema<number> = { write: (w, v) => void w.i16(v), read: (r) => r.i16() };
export const u16: Schema<number> = { write: (w, v) => void w.u16(v), read: (r) => r.u16() };
export const i32: Schema<number> = { write: (w, v) => void w.i32(v), read: (r) => r.i32() };
export const u32: Schema<number> = { write: (w, v) => void w.u32(v), read: (r) => r.u32() };
export const i64: Schema<number> = { write: (w, v) => void w.i64(v), read: (r) => r.i64() };
export const bool: Schema<boolean> = { write: (w, v) => void w.bool(v), read: (r) => r.bool() };
export const string: Schema<string> = { write: (w, v) => void w.string(v), read: (r) => r.string() };
/** u32 length + bytes; decoded as a view into the frame. */
export const bytes: Schema<Buffer> = {
  write: (w, v) => void w.bytes(v),
  read: (r) => r.bytes(),
};

export function array<T>(item: Schema<T>): Schema<T[]> {
  return {
    write(w, v) {
      w.u32(v.length);
      for (const x of v) item.write(w, x);
    },
    read(r) {
      const n = r.u32();
      if (n > MAX_ARRAY || n > r.remaining) throw new DecodeError(`array count ${n} exceeds the remaining ${r.remaining} bytes`);
      const out = new Array<T>(n);
      for (let i = 0; i < n; i++) out[i] = item.read(r);
      return out;
    },
  };
}

export function option<T>(item: Schema<T>): Schema<T | null> {
  const s: Schema<T | null> = {
    write(w, v) {
      if (v === null || v === undefined) w.bool(false);
      else { w.bool(true); item.write(w, v); }
    },
    read(r) { return r.bool() ? item.read(r) : null; },
  };
  optionSchemas.add(s);
  return s;
}

// Options accept `undefined` as none; every other field must be present when encoding.
const optionSchemas = new WeakSet<Schema<any>>();

/** String-keyed map: u16 count + (string, string) pairs, as in the SmartModule ABI. */
export const stringMap: Schema<Record<string, string>> = {
  write(w, v) {
    const keys = Object.keys(v);
    w.u16(keys.length);
    for (const k of keys) { w.string(k); w.string(v[k]); }
  },
  read(r) {
    const n = r.u16();
    const out: Record<string, string> = {};
    // defineProperty: a key named "__proto__" is data here, not the object's prototype.
    for (let i = 0; i < n; i++) { const k = r.string(); Object.defineProperty(out, k, { value: r.string(), enumerable: true, writable: true, configurable: true }); }
    return out;
  },
};

type Fields = Record<string, Schema<any>>;
export type StructOf<F extends Fields> = { [K in keyof F]: Infer<F[K]> };

export function struct<F extends Fields>(fields: F): Schema<StructOf<F>> {
  // Indexed arrays rather than entry tuples, and decoded objects cloned from a template that has
  // every field already: each message decodes into one allocation with a stable shape (no
  // iterator or per-field map transitions on the per-request path).
  const keys = Object.keys(fields);
  const schemas = keys.map((k) => fields[k]);
  const optional = schemas.map((s) => optionSchemas.has(s));
  const n = keys.length;
  const template: Record<string, unknown> = {};
  for (const k of keys) template[k] = undefined;
  return {
    write(w, v) {
      for (let i = 0; i < n; i++) {
        const x = (v as any)[keys[i]];
        if (x === undefined && !optional[i]) throw new TypeError(`missing field '${keys[i]}'`);
        schemas[i].write(w, x);
      }
    },
    read(r) {
      const out: any = { ...template };
      for (let i = 0; i < n; i++) out[keys[i]] = schemas[i].read(r);
      return out;
    },
  };
}

/**
 * An older layout of a message whose model has since gained the fields in `defaults`: written
 * without them (a struct writes only its own fields), read with them set to these values. Lets every
 * version of an API decode to one model type. The values are shared by every decoded message:
 * primitives or null, never objects a handler could mutate.
 */
export function defaulted<T extends object, D extends object>(older: Schema<T>, defaults: D): Schema<T & D> {
  return {
    write: (w, v) => older.write(w, v),
    // Assigned onto the decoded object: one allocation per message, as for the struct itself.
    read: (r) => Object.assign(older.read(r), defaults),
  };
}

export function encode<T>(schema: Schema<T>, v: T, w = new Writer()): Writer {
  schema.write(w, v);
  return w;
}

export function decode<T>(schema: Schema<T>, buf: Buffer, pos = 0, end = buf.length): T {
  const r = new Reader(buf, pos, end);
  const v = schema.read(r);
  if (r.remaining !== 0) throw new DecodeError(`${r.remaining} unexpected trailing bytes`);
  return v;
}
