// SmartModuleRecord: one record as the author's function sees it, and the type an author
// returns from map, filter-map and array-map.
//
// Input records are views into the input buffer: key and value are turned into strings,
// bytes or JSON only when asked, and once per record. The SDK reuses one instance for every
// input record (as Fluvio lends `&Record`), so keep `clone()` of a record you store.
import { bytesContainString, bytesEqualString, bytesStartWithString, copyBytes } from "./bytes";
import { fail } from "./error";
import { JsonValue } from "./json";
import { jsonError, parseJsonBytes } from "./json_parse";
import { parseFloatBytes, parseIntBytes, parseOk } from "./numbers";

export class SmartModuleRecord {
  /** Offset of the record in its partition (base offset + offset delta). */
  offset: i64 = 0;
  /** Timestamp in milliseconds (base timestamp + timestamp delta; 0-based on old hosts). */
  timestamp: i64 = 0;
  /** Offset delta within its batch, as encoded. */
  offsetDelta: i64 = 0;
  /** Timestamp delta within its batch, as encoded. */
  timestampDelta: i64 = 0;

  /** Key bytes in linear memory (SDK internal). */
  keyPtr: usize = 0;
  /** Key length in bytes, or -1 when the record has no key. */
  keyLength: i32 = -1;
  /** Value bytes in linear memory (SDK internal). */
  valuePtr: usize = 0;
  /** Value length in bytes. */
  valueLength: i32 = 0;

  // Owned bytes of records built by the author, kept alive for the GC.
  private keyOwner: ArrayBuffer | null = null;
  private valueOwner: ArrayBuffer | null = null;
  // Per-record caches of the lazy views.
  private keyText: string | null = null;
  private valueText: string | null = null;
  private valueCopy: Uint8Array | null = null;

  /** A record with `value` (and `key`, if given) as UTF-8. */
  static of(value: string, key: string | null = null): SmartModuleRecord {
    const r = new SmartModuleRecord();
    r.setValueString(value);
    if (key !== null) r.setKeyString(key);
    return r;
  }

  /** A record with raw bytes for value and key. */
  static fromBytes(value: Uint8Array, key: Uint8Array | null = null): SmartModuleRecord {
    const r = new SmartModuleRecord();
    r.setValueBytes(value);
    if (key !== null) r.setKeyBytes(key);
    return r;
  }

  /** A record whose value is `value` written as compact JSON. */
  static ofJson(value: JsonValue, key: string | null = null): SmartModuleRecord {
    const r = new SmartModuleRecord();
    r.adoptValue(value.toBytes().buffer);
    if (key !== null) r.setKeyString(key);
    return r;
  }

  /** True when the record has a key (a key may be present and empty). */
  get hasKey(): bool {
    return this.keyLength >= 0;
  }

  /** The key as UTF-8 text, or null when there is no key. */
  keyString(): string | null {
    if (this.keyLength < 0) return null;
    let s = this.keyText;
    if (s === null) this.keyText = s = String.UTF8.decodeUnsafe(this.keyPtr, <usize>this.keyLength);
    return s;
  }

  /** The value as UTF-8 text. */
  valueString(): string {
    let s = this.valueText;
    if (s === null) this.valueText = s = String.UTF8.decodeUnsafe(this.valuePtr, <usize>this.valueLength);
    return s;
  }

  /** A copy of the key bytes, or null when there is no key. */
  keyBytes(): Uint8Array | null {
    return this.keyLength < 0 ? null : copyBytes(this.keyPtr, this.keyLength);
  }

  /** A copy of the value bytes (made once per record). */
  valueBytes(): Uint8Array {
    let b = this.valueCopy;
    if (b === null) this.valueCopy = b = copyBytes(this.valuePtr, this.valueLength);
    return b;
  }

  /** Byte `i` of the value (no bounds check beyond 0 <= i < valueLength: returns 0 outside). */
  valueByte(i: i32): u8 {
    return i >= 0 && i < this.valueLength ? load<u8>(this.valuePtr + <usize>i) : 0;
  }

  /** Whether the value is exactly `text` (compared as bytes, nothing decoded). */
  valueEquals(text: string): bool {
    return bytesEqualString(this.valuePtr, this.valueLength, text);
  }

  /** Whether the value contains `text` (compared as bytes, nothing decoded). */
  valueContains(text: string): bool {
    return bytesContainString(this.valuePtr, this.valueLength, text);
  }

  /** Whether the value starts with `text`. */
  valueStartsWith(text: string): bool {
    return bytesStartWithString(this.valuePtr, this.valueLength, text);
  }

  /** Whether the key is exactly `text`; false when there is no key. */
  keyEquals(text: string): bool {
    return this.keyLength >= 0 && bytesEqualString(this.keyPtr, this.keyLength, text);
  }

  /** The value parsed as a base-10 integer; on bad input calls fail(..) and returns 0. */
  valueInt(): i64 {
    const v = parseIntBytes(this.valuePtr, this.valueLength);
    if (!parseOk()) fail("invalid integer in record value: " + quoteValue(this));
    return v;
  }

  /** The value parsed as a base-10 integer, or `fallback` when it is not one. */
  valueIntOr(fallback: i64): i64 {
    const v = parseIntBytes(this.valuePtr, this.valueLength);
    return parseOk() ? v : fallback;
  }

  /** The value parsed as a number; on bad input calls fail(..) and returns NaN. */
  valueFloat(): f64 {
    const v = parseFloatBytes(this.valuePtr, this.valueLength);
    if (!parseOk()) fail("invalid number in record value: " + quoteValue(this));
    return v;
  }

  /** The value parsed as a number, or `fallback` when it is not one. */
  valueFloatOr(fallback: f64): f64 {
    const v = parseFloatBytes(this.valuePtr, this.valueLength);
    return parseOk() ? v : fallback;
  }

  /** The value parsed as JSON; on malformed JSON calls fail(..) and returns null. */
  valueJson(): JsonValue | null {
    const v = parseJsonBytes(this.valuePtr, this.valueLength);
    if (v === null) fail(jsonError());
    return v;
  }

  /** The value parsed as JSON, or null (without failing) when it is malformed. */
  tryValueJson(): JsonValue | null {
    return parseJsonBytes(this.valuePtr, this.valueLength);
  }

  /** A new record with the same key and `value` as its value. */
  withValue(value: string): SmartModuleRecord {
    const r = this.shallowKeyCopy();
    r.setValueString(value);
    return r;
  }

  /** A new record with the same key and `value` as its raw value. */
  withValueBytes(value: Uint8Array): SmartModuleRecord {
    const r = this.shallowKeyCopy();
    r.setValueBytes(value);
    return r;
  }

  /** A new record with the same key and `value` written as compact JSON. */
  withJson(value: JsonValue): SmartModuleRecord {
    const r = this.shallowKeyCopy();
    r.adoptValue(value.toBytes().buffer);
    return r;
  }

  /** A new record with `key` (null for none) and the same value. */
  withKey(key: string | null): SmartModuleRecord {
    const r = new SmartModuleRecord();
    r.copyMeta(this);
    r.valueOwner = this.valueOwner;
    r.valuePtr = this.valuePtr;
    r.valueLength = this.valueLength;
    if (key !== null) r.setKeyString(key);
    return r;
  }

  /** An independent copy that stays valid after this call returns. */
  clone(): SmartModuleRecord {
    const r = new SmartModuleRecord();
    r.copyMeta(this);
    if (this.keyLength >= 0) r.adoptKey(copyBytes(this.keyPtr, this.keyLength).buffer);
    r.adoptValue(copyBytes(this.valuePtr, this.valueLength).buffer);
    return r;
  }

  // -- SDK internal ---------------------------------------------------------------

  /** Points this (reused) record at the next input record. */
  viewInput(offset: i64, timestamp: i64, offsetDelta: i64, timestampDelta: i64,
            keyPtr: usize, keyLength: i32, valuePtr: usize, valueLength: i32): void {
    this.offset = offset;
    this.timestamp = timestamp;
    this.offsetDelta = offsetDelta;
    this.timestampDelta = timestampDelta;
    this.keyPtr = keyPtr;
    this.keyLength = keyLength;
    this.valuePtr = valuePtr;
    this.valueLength = valueLength;
    // The reused input record rarely holds these: test before storing (a store is a GC
    // barrier), by address (`!== null` on a string calls String.__ne).
    if (changetype<usize>(this.keyOwner) != 0) this.keyOwner = null;
    if (changetype<usize>(this.valueOwner) != 0) this.valueOwner = null;
    if (changetype<usize>(this.keyText) != 0) this.keyText = null;
    if (changetype<usize>(this.valueText) != 0) this.valueText = null;
    if (changetype<usize>(this.valueCopy) != 0) this.valueCopy = null;
  }

  private copyMeta(from: SmartModuleRecord): void {
    this.offset = from.offset;
    this.timestamp = from.timestamp;
    this.offsetDelta = from.offsetDelta;
    this.timestampDelta = from.timestampDelta;
  }

  private shallowKeyCopy(): SmartModuleRecord {
    const r = new SmartModuleRecord();
    r.copyMeta(this);
    r.keyOwner = this.keyOwner;
    r.keyPtr = this.keyPtr;
    r.keyLength = this.keyLength;
    r.keyText = this.keyText;
    return r;
  }

  private adoptKey(buf: ArrayBuffer): void {
    this.keyOwner = buf;
    this.keyPtr = changetype<usize>(buf);
    this.keyLength = buf.byteLength;
    this.keyText = null;
  }

  private adoptValue(buf: ArrayBuffer): void {
    this.valueOwner = buf;
    this.valuePtr = changetype<usize>(buf);
    this.valueLength = buf.byteLength;
    this.valueText = null;
    this.valueCopy = null;
  }

  private setKeyString(key: string): void {
    this.adoptKey(String.UTF8.encode(key));
    this.keyText = key;
  }

  private setValueString(value: string): void {
    this.adoptValue(String.UTF8.encode(value));
    this.valueText = value;
  }

  private setKeyBytes(key: Uint8Array): void {
    this.adoptKey(key.buffer.slice(key.byteOffset, key.byteOffset + key.byteLength));
  }

  private setValueBytes(value: Uint8Array): void {
    this.adoptValue(value.buffer.slice(value.byteOffset, value.byteOffset + value.byteLength));
  }
}

/** The record value for an error hint: text in quotes, cut at 64 characters. */
function quoteValue(r: SmartModuleRecord): string {
  const s = r.valueString();
  return s.length > 64 ? "\"" + s.substring(0, 64) + "...\"" : "\"" + s + "\"";
}
