// Messages: a view over one message in the ABI layout (input batches are read in place, never
// copied), and a builder for new ones.
import { decodeUtf8Lossy } from "./utf8";
import { bytesContainString, bytesEqualString, bytesStartWithString, copyBytes } from "../bytes";
import { JsonValue } from "../json";
import { parseJsonBytes } from "../json_parse";
import { LeBuffer } from "./buffer";
import { Hlc } from "./hlc";
import {
  HEADER_SIZE, KIND_MESSAGE, KIND_RAW, KIND_SNAPSHOT, SNAPSHOT_PREFIX, msgContentTypeLength, msgContentTypePtr, msgKind, msgPayloadLength,
  msgPayloadPtr, msgPropertiesLength, msgPropertiesPtr, msgPropertyCount, msgSize, msgTopicLength, msgTopicPtr,
} from "./layout";

/** One property: a key and its value. */
export class Property {
  key: string;
  value: string;
  constructor(key: string, value: string) {
    this.key = key;
    this.value = value;
  }
}

/** Walks a message's property list without making strings. */
// @ts-ignore: decorator
@unmanaged
export class PropertyCursor {
  pos: usize = 0;
  left: u32 = 0;
  keyPtr: usize = 0;
  keyLength: i32 = 0;
  valuePtr: usize = 0;
  valueLength: i32 = 0;

  /** Moves to the next property; false after the last. */
  next(): bool {
    if (this.left == 0) return false;
    this.left--;
    const p = this.pos;
    this.keyLength = <i32>load<u16>(p);
    this.keyPtr = p + 2;
    const v = this.keyPtr + <usize>this.keyLength;
    this.valueLength = <i32>load<u32>(v);
    this.valuePtr = v + 4;
    this.pos = this.valuePtr + <usize>this.valueLength;
    return true;
  }

  key(): string { return decodeUtf8Lossy(this.keyPtr, <usize>this.keyLength); }
  value(): string { return decodeUtf8Lossy(this.valuePtr, <usize>this.valueLength); }
  keyEquals(s: string): bool { return bytesEqualString(this.keyPtr, this.keyLength, s); }
}

/**
 * A message: its header and bytes in the ABI layout at `ptr`. The operators' input messages are
 * views into the input batch, valid during the call; the SDK re-points one object per input,
 * so keep `clone()` to hold a message beyond the call. Built messages own their bytes.
 */
export class Message {
  /** Address of the 32-byte header. */
  ptr: usize = 0;
  /** An owned message's bytes (null for a view into a batch). */
  private owner: ArrayBuffer | null = null;

  /** A view over the message at `ptr` (valid as long as that memory is). */
  static at(ptr: usize): Message {
    const m = new Message();
    m.ptr = ptr;
    return m;
  }

  /** A message owning `bytes` (one message in the ABI layout). */
  static own(bytes: ArrayBuffer): Message {
    const m = new Message();
    m.owner = bytes;
    m.ptr = changetype<usize>(bytes);
    return m;
  }

  /** A builder for a new message (kind message, timestamp 0). */
  static builder(): MessageBuilder {
    return new MessageBuilder();
  }

  /** A builder starting from this message: same timestamp, kind, topic, content type, payload, properties. */
  toBuilder(): MessageBuilder {
    return MessageBuilder.from(this);
  }

  /** Bytes of the whole message, header included. */
  get size(): u32 { return msgSize(this.ptr); }
  get kind(): u8 { return msgKind(this.ptr); }
  /** Raw bytes: payload only, no topic, content type or properties. */
  get isRaw(): bool { return msgKind(this.ptr) == KIND_RAW; }
  /** A snapshot (image frame): `format()`, `width`, `height`, the frame at `framePtr`. */
  get isSnapshot(): bool { return msgKind(this.ptr) == KIND_SNAPSHOT; }

  /** A snapshot's format ("rgb24"; it is stored where a message's content type is). */
  format(): string { return this.contentType(); }
  formatEquals(s: string): bool { return bytesEqualString(msgContentTypePtr(this.ptr), <i32>msgContentTypeLength(this.ptr), s); }
  /** A snapshot's frame width and height (0 for other kinds). */
  get width(): u32 { return this.isSnapshot ? load<u32>(msgPayloadPtr(this.ptr)) : 0; }
  get height(): u32 { return this.isSnapshot ? load<u32>(msgPayloadPtr(this.ptr), 4) : 0; }
  /** Where a snapshot's frame bytes are (a view); for other kinds the payload. */
  get framePtr(): usize { return msgPayloadPtr(this.ptr) + (this.isSnapshot ? SNAPSHOT_PREFIX : 0); }
  get frameLength(): i32 { return <i32>msgPayloadLength(this.ptr) - (this.isSnapshot ? <i32>SNAPSHOT_PREFIX : 0); }
  /** A copy of the frame (of a snapshot; the payload of other kinds). */
  frameBytes(): Uint8Array { return copyBytes(this.framePtr, this.frameLength); }
  /** The frame parsed as JSON (a classified snapshot's result); null when it is not JSON. */
  frameJson(): JsonValue | null { return parseJsonBytes(this.framePtr, this.frameLength); }

  /** The timestamp (a new Hlc; `physicalTime` etc. read it without one). */
  get timestamp(): Hlc { return Hlc.read(this.ptr + 8); }
  get timestampPtr(): usize { return this.ptr + 8; }
  /** Physical time, ns since the Unix epoch. */
  get physicalTime(): u64 { return load<u64>(this.ptr, 8); }
  get counter(): u32 { return load<u32>(this.ptr, 16); }
  get nodeId(): u32 { return load<u32>(this.ptr, 20); }

  get topicPtr(): usize { return msgTopicPtr(this.ptr); }
  get topicLength(): i32 { return <i32>msgTopicLength(this.ptr); }
  topic(): string { return decodeUtf8Lossy(msgTopicPtr(this.ptr), <usize>msgTopicLength(this.ptr)); }
  topicEquals(s: string): bool { return bytesEqualString(msgTopicPtr(this.ptr), <i32>msgTopicLength(this.ptr), s); }

  get contentTypePtr(): usize { return msgContentTypePtr(this.ptr); }
  get contentTypeLength(): i32 { return <i32>msgContentTypeLength(this.ptr); }
  contentType(): string { return decodeUtf8Lossy(msgContentTypePtr(this.ptr), <usize>msgContentTypeLength(this.ptr)); }

  /** Where the payload bytes are (a view: read with load<u8>, no copy). */
  get payloadPtr(): usize { return msgPayloadPtr(this.ptr); }
  get payloadLength(): i32 { return <i32>msgPayloadLength(this.ptr); }
  /** Payload byte `i` (no bounds check beyond the message). */
  payloadByte(i: i32): u8 { return load<u8>(msgPayloadPtr(this.ptr) + <usize>i); }
  /** The payload as UTF-8 text. */
  payloadString(): string { return decodeUtf8Lossy(msgPayloadPtr(this.ptr), <usize>msgPayloadLength(this.ptr)); }
  /** A copy of the payload. */
  payloadBytes(): Uint8Array { return copyBytes(msgPayloadPtr(this.ptr), <i32>msgPayloadLength(this.ptr)); }
  payloadEquals(s: string): bool { return bytesEqualString(msgPayloadPtr(this.ptr), <i32>msgPayloadLength(this.ptr), s); }
  payloadContains(s: string): bool { return bytesContainString(msgPayloadPtr(this.ptr), <i32>msgPayloadLength(this.ptr), s); }
  payloadStartsWith(s: string): bool { return bytesStartWithString(msgPayloadPtr(this.ptr), <i32>msgPayloadLength(this.ptr), s); }
  /** The payload parsed as JSON; null when it is not JSON (`jsonError()` says why). */
  payloadJson(): JsonValue | null { return parseJsonBytes(msgPayloadPtr(this.ptr), <i32>msgPayloadLength(this.ptr)); }

  get propertyCount(): i32 { return <i32>msgPropertyCount(this.ptr); }
  get propertiesPtr(): usize { return msgPropertiesPtr(this.ptr); }
  get propertiesLength(): usize { return msgPropertiesLength(this.ptr); }

  /** A cursor over the properties (`while (c.next()) c.key() ...`). */
  propertyCursor(): PropertyCursor {
    const c = changetype<PropertyCursor>(cursorSlot);
    c.pos = msgPropertiesPtr(this.ptr);
    c.left = msgPropertyCount(this.ptr);
    return c;
  }

  /** The value of property `key`, or null when the message has none. */
  property(key: string): string | null {
    const c = this.propertyCursor();
    while (c.next()) if (c.keyEquals(key)) return c.value();
    return null;
  }

  hasProperty(key: string): bool {
    const c = this.propertyCursor();
    while (c.next()) if (c.keyEquals(key)) return true;
    return false;
  }

  /** All properties, in order. */
  properties(): Property[] {
    const out = new Array<Property>();
    const c = this.propertyCursor();
    while (c.next()) out.push(new Property(c.key(), c.value()));
    return out;
  }

  /** An independent copy that owns its bytes (keep this, not the view, beyond a call). */
  clone(): Message {
    const n = <usize>msgSize(this.ptr);
    const bytes = new ArrayBuffer(<i32>n);
    memory.copy(changetype<usize>(bytes), this.ptr, n);
    return Message.own(bytes);
  }
}

// One PropertyCursor's worth of static memory, shared (cursors are used one at a time).
const cursorSlot = memory.data(offsetof<PropertyCursor>());

const SRC_NONE: u8 = 0;
const SRC_MESSAGE: u8 = 1;
const SRC_STRING: u8 = 2;
const SRC_BYTES: u8 = 3;

/**
 * Makes a message. Starts empty (`Message.builder()`) or from an input (`MessageBuilder.from(input)`
 * / `input.toBuilder()`: its timestamp, kind, topic, content type, payload and properties, by
 * reference until built). `build()` writes the bytes once.
 */
export class MessageBuilder {
  timestamp: Hlc = new Hlc();
  kind: u8 = KIND_MESSAGE;
  private src: Message | null = null;
  private topicMode: u8 = SRC_NONE;
  private topicText: string = "";
  private ctMode: u8 = SRC_NONE;
  private ctText: string = "";
  private payloadMode: u8 = SRC_NONE;
  private payloadText: string = "";
  private payloadData: Uint8Array | null = null;
  /** Properties copied from src as they are (until one is set or removed). */
  private propsFromSrc: bool = false;
  private keys: string[] | null = null;
  private values: string[] | null = null;
  /** Snapshots: the frame's width and height (the payload is the frame). */
  frameWidth: u32 = 0;
  frameHeight: u32 = 0;

  static from(input: Message): MessageBuilder {
    const b = new MessageBuilder();
    b.src = input;
    b.timestamp.load(input.ptr + 8);
    b.kind = input.kind;
    b.frameWidth = input.width;
    b.frameHeight = input.height;
    b.topicMode = SRC_MESSAGE;
    b.ctMode = SRC_MESSAGE;
    b.payloadMode = SRC_MESSAGE;
    b.propsFromSrc = true;
    return b;
  }

  setTimestamp(t: Hlc): MessageBuilder {
    this.timestamp = t.clone();
    return this;
  }

  /** Makes it a raw-bytes message (payload only: topic, content type and properties dropped). */
  raw(): MessageBuilder {
    this.kind = KIND_RAW;
    return this;
  }

  /**
   * Makes it a snapshot of `format` (e.g. "rgb24"), `width` × `height`; the payload set on the
   * builder is the frame. Topic and properties are kept.
   */
  snapshot(format: string, width: u32, height: u32): MessageBuilder {
    this.kind = KIND_SNAPSHOT;
    this.ctMode = SRC_STRING;
    this.ctText = format;
    this.frameWidth = width;
    this.frameHeight = height;
    return this;
  }

  /** Makes a snapshot a message (the frame becomes the payload, the format the content type). A snapshot source's payload is always its frame. */
  message(): MessageBuilder {
    this.kind = KIND_MESSAGE;
    return this;
  }

  setTopic(topic: string): MessageBuilder {
    this.topicMode = SRC_STRING;
    this.topicText = topic;
    if (this.kind == KIND_RAW) this.kind = KIND_MESSAGE;
    return this;
  }

  /** Takes the topic of `m`. */
  copyTopic(m: Message): MessageBuilder {
    return this.setTopic(m.topic());
  }

  setContentType(contentType: string): MessageBuilder {
    this.ctMode = SRC_STRING;
    this.ctText = contentType;
    if (this.kind == KIND_RAW) this.kind = KIND_MESSAGE;
    return this;
  }

  copyContentType(m: Message): MessageBuilder {
    return this.setContentType(m.contentType());
  }

  setPayloadString(payload: string): MessageBuilder {
    this.payloadMode = SRC_STRING;
    this.payloadText = payload;
    this.payloadData = null;
    return this;
  }

  setPayloadBytes(payload: Uint8Array): MessageBuilder {
    this.payloadMode = SRC_BYTES;
    this.payloadData = payload;
    return this;
  }

  /** The payload as compact JSON text. */
  setPayloadJson(value: JsonValue): MessageBuilder {
    return this.setPayloadString(value.stringify());
  }

  /** Adds property `key` or replaces its value. */
  setProperty(key: string, value: string): MessageBuilder {
    this.materializeProperties();
    const keys = this.keys!;
    for (let i = 0; i < keys.length; i++) {
      if (unchecked(keys[i]) == key) {
        this.values![i] = value;
        return this;
      }
    }
    keys.push(key);
    this.values!.push(value);
    if (this.kind == KIND_RAW) this.kind = KIND_MESSAGE;
    return this;
  }

  removeProperty(key: string): MessageBuilder {
    this.materializeProperties();
    const keys = this.keys!;
    for (let i = keys.length - 1; i >= 0; i--) {
      if (unchecked(keys[i]) == key) {
        keys.splice(i, 1);
        this.values!.splice(i, 1);
      }
    }
    return this;
  }

  /** Adds (or replaces with) every property of `m`. */
  copyProperties(m: Message): MessageBuilder {
    // collect first: setProperty may walk another message with the shared cursor
    const props = m.properties();
    for (let i = 0; i < props.length; i++) this.setProperty(unchecked(props[i]).key, unchecked(props[i]).value);
    return this;
  }

  private materializeProperties(): void {
    if (this.keys !== null) return;
    const keys = new Array<string>();
    const values = new Array<string>();
    const src = this.src;
    if (this.propsFromSrc && src !== null) {
      const c = src.propertyCursor();
      while (c.next()) {
        keys.push(c.key());
        values.push(c.value());
      }
    }
    this.propsFromSrc = false;
    this.keys = keys;
    this.values = values;
  }

  private topicLength(): usize {
    if (this.topicMode == SRC_MESSAGE) return <usize>this.src!.topicLength;
    if (this.topicMode == SRC_STRING) return <usize>String.UTF8.byteLength(this.topicText);
    return 0;
  }

  private ctLength(): usize {
    if (this.ctMode == SRC_MESSAGE) return <usize>this.src!.contentTypeLength;
    if (this.ctMode == SRC_STRING) return <usize>String.UTF8.byteLength(this.ctText);
    return 0;
  }

  /** The source message's payload to copy: its frame when it is a snapshot. */
  private srcPayloadPtr(): usize {
    const src = this.src!;
    return src.isSnapshot ? src.framePtr : src.payloadPtr;
  }

  private payloadLen(): usize {
    if (this.payloadMode == SRC_MESSAGE) return <usize>(this.src!.isSnapshot ? this.src!.frameLength : this.src!.payloadLength);
    if (this.payloadMode == SRC_STRING) return <usize>String.UTF8.byteLength(this.payloadText);
    if (this.payloadMode == SRC_BYTES) return <usize>this.payloadData!.length;
    return 0;
  }

  private propsLength(): usize {
    if (this.propsFromSrc) return this.src !== null ? this.src!.propertiesLength : 0;
    const keys = this.keys;
    if (keys === null) return 0;
    let n: usize = 0;
    for (let i = 0; i < keys.length; i++) {
      n += 6 + <usize>String.UTF8.byteLength(unchecked(keys[i])) + <usize>String.UTF8.byteLength(unchecked(this.values![i]));
    }
    return n;
  }

  private propsCount(): i32 {
    if (this.propsFromSrc) return this.src !== null ? this.src!.propertyCount : 0;
    const keys = this.keys;
    return keys === null ? 0 : keys.length;
  }

  /** Bytes the built message takes. */
  encodedSize(): usize {
    if (this.kind == KIND_RAW) return HEADER_SIZE + this.payloadLen();
    const prefix: usize = this.kind == KIND_SNAPSHOT ? SNAPSHOT_PREFIX : 0;
    return HEADER_SIZE + this.topicLength() + this.ctLength() + prefix + this.payloadLen() + this.propsLength();
  }

  /** Writes the message at `dst`, which has room for encodedSize() bytes; returns the size. */
  encodeAt(dst: usize): usize {
    const message = this.kind != KIND_RAW;
    const topicLen = message ? this.topicLength() : 0;
    const ctLen = message ? this.ctLength() : 0;
    const snapshot = this.kind == KIND_SNAPSHOT;
    const payloadLen = this.payloadLen();
    const propsCount = message ? this.propsCount() : 0;
    let p = dst + HEADER_SIZE;
    if (topicLen > 0) {
      if (this.topicMode == SRC_MESSAGE) memory.copy(p, this.src!.topicPtr, topicLen);
      else String.UTF8.encodeUnsafe(changetype<usize>(this.topicText), this.topicText.length, p);
      p += topicLen;
    }
    if (ctLen > 0) {
      if (this.ctMode == SRC_MESSAGE) memory.copy(p, this.src!.contentTypePtr, ctLen);
      else String.UTF8.encodeUnsafe(changetype<usize>(this.ctText), this.ctText.length, p);
      p += ctLen;
    }
    if (snapshot) {
      store<u32>(p, this.frameWidth);
      store<u32>(p, this.frameHeight, 4);
      p += SNAPSHOT_PREFIX;
    }
    if (payloadLen > 0) {
      if (this.payloadMode == SRC_MESSAGE) memory.copy(p, this.srcPayloadPtr(), payloadLen);
      else if (this.payloadMode == SRC_STRING) String.UTF8.encodeUnsafe(changetype<usize>(this.payloadText), this.payloadText.length, p);
      else memory.copy(p, this.payloadData!.dataStart, payloadLen);
      p += payloadLen;
    }
    if (propsCount > 0) {
      if (this.propsFromSrc) {
        const n = this.src!.propertiesLength;
        memory.copy(p, this.src!.propertiesPtr, n);
        p += n;
      } else {
        const keys = this.keys!;
        const values = this.values!;
        for (let i = 0; i < keys.length; i++) {
          const k = unchecked(keys[i]);
          const v = unchecked(values[i]);
          const kn = String.UTF8.encodeUnsafe(changetype<usize>(k), k.length, p + 2);
          store<u16>(p, <u16>kn);
          p += 2 + kn;
          const vn = String.UTF8.encodeUnsafe(changetype<usize>(v), v.length, p + 4);
          store<u32>(p, <u32>vn);
          p += 4 + vn;
        }
      }
    }
    const size = p - dst;
    store<u32>(dst, <u32>size);
    store<u32>(dst, <u32>(payloadLen + (snapshot ? SNAPSHOT_PREFIX : 0)), 4);
    this.timestamp.store(dst + 8);
    store<u8>(dst, snapshot ? KIND_SNAPSHOT : message ? KIND_MESSAGE : KIND_RAW, 24);
    store<u8>(dst, 0, 25);
    store<u16>(dst, <u16>topicLen, 26);
    store<u16>(dst, <u16>ctLen, 28);
    store<u16>(dst, <u16>propsCount, 30);
    return size;
  }

  /** Appends the message to `buf`. */
  writeTo(buf: LeBuffer): void {
    const n = this.encodedSize();
    buf.ensure(n);
    buf.length += this.encodeAt(buf.base + buf.length);
  }

  /** The message, owning its bytes. */
  build(): Message {
    const bytes = new ArrayBuffer(<i32>this.encodedSize());
    this.encodeAt(changetype<usize>(bytes));
    return Message.own(bytes);
  }
}
