// The call's result, written into one reused buffer and handed over with `output` once
// (ABI.md "Per operator type"): a message batch (map, accumulate), n flag bytes (filter,
// branch) or n timestamps (delay). The runners use it; hand-written entry points may too.
import { formatFloat } from "../numbers";
import { LeBuffer } from "./buffer";
import { Hlc } from "./hlc";
import { host_output } from "./host";
import { collectAfterOutput } from "../collect";
import {
  HEADER_SIZE, KIND_MESSAGE, KIND_RAW, msgContentTypeLength, msgPropertiesLength, msgPropertiesPtr, msgPropertyCount,
  msgSize, msgTopicLength,
} from "./layout";
import { Message, MessageBuilder } from "./message";

// @ts-ignore: decorator
@unmanaged
export class GraphOutput {
  buf: LeBuffer = new LeBuffer();
  /** Messages (batch mode) or entries (flags, timestamps) written. */
  count: u32 = 0;
  private batch: bool = false;
  /** Offsets of the message being written (beginMessage .. endMessage). */
  private msgStart: usize = 0;
  private payloadStart: usize = 0;
  private propsStart: isize = -1;
  private propCount: u32 = 0;

  /** Starts a message batch (map, accumulate): u32 count, then messages. */
  beginBatch(): void {
    this.buf.clear();
    this.buf.u32(0);
    this.count = 0;
    this.batch = true;
  }

  /** Starts a flag or timestamp list (filter, branch, delay). */
  beginList(): void {
    this.buf.clear();
    this.count = 0;
    this.batch = false;
  }

  /** Appends the message at `p` as it is (one memory.copy). */
  // @ts-ignore: decorator
  @inline copyMessage(p: usize): void {
    this.buf.bytes(p, <usize>msgSize(p));
    this.count++;
  }

  /** Appends `m` as it is. */
  pushMessage(m: Message): void {
    this.copyMessage(m.ptr);
  }

  /** Appends the message `b` builds, written straight into the output. */
  push(b: MessageBuilder): void {
    b.writeTo(this.buf);
    this.count++;
  }

  /**
   * Starts a message with the timestamp, kind, topic and content type of the message at `from`;
   * write the payload next (payload*, reserve), then properties, then endMessage().
   */
  beginMessage(from: usize): void {
    const head = HEADER_SIZE + <usize>msgTopicLength(from) + <usize>msgContentTypeLength(from);
    this.msgStart = this.buf.length;
    this.buf.bytes(from, head);
    this.payloadStart = this.buf.length;
    this.propsStart = -1;
    this.propCount = 0;
  }

  /** Starts a raw-bytes message (no topic, content type or properties) at timestamp `t`. */
  beginRawMessage(t: Hlc): void {
    const b = this.buf;
    this.msgStart = b.length;
    const p = b.reserve(HEADER_SIZE);
    memory.fill(p, 0, HEADER_SIZE);
    t.store(p + 8);
    store<u8>(p, KIND_RAW, 24);
    this.payloadStart = b.length;
    this.propsStart = -1;
    this.propCount = 0;
  }

  /** Room for `n` payload bytes: returns where to write them (valid until the next write). */
  // @ts-ignore: decorator
  @inline reserve(n: usize): usize {
    return this.buf.reserve(n);
  }

  // @ts-ignore: decorator
  @inline payloadByte(v: u8): void { this.buf.u8(v); }
  payloadBytes(ptr: usize, len: usize): void { this.buf.bytes(ptr, len); }
  payloadString(s: string): void { this.buf.utf8(s); }
  /** A number as JavaScript writes it (`212`, `21.5`). */
  payloadNumber(v: f64): void { this.buf.utf8(formatFloat(v)); }

  private startProps(): void {
    if (this.propsStart < 0) this.propsStart = <isize>this.buf.length;
  }

  /** Ends the payload and copies every property of the message at `from`. */
  copyProperties(from: usize): void {
    this.startProps();
    this.buf.bytes(msgPropertiesPtr(from), msgPropertiesLength(from));
    this.propCount += msgPropertyCount(from);
  }

  /** Ends the payload and adds a property (keys must stay unique: do not repeat one you copied). */
  property(key: string, value: string): void {
    this.startProps();
    this.buf.prefixedUtf8<u16>(key);
    this.buf.prefixedUtf8<u32>(value);
    this.propCount++;
  }

  /** Finishes the message begun with beginMessage/beginRawMessage. */
  endMessage(): void {
    const b = this.buf;
    const end = b.length;
    const propsAt = this.propsStart < 0 ? end : <usize>this.propsStart;
    const p = b.base + this.msgStart;
    store<u32>(p, <u32>(end - this.msgStart));
    store<u32>(p, <u32>(propsAt - this.payloadStart), 4);
    if (load<u8>(p, 24) == KIND_RAW && this.propCount > 0) store<u8>(p, KIND_MESSAGE, 24);
    store<u16>(p, <u16>this.propCount, 30);
    this.count++;
  }

  /** Appends a filter/branch decision. */
  // @ts-ignore: decorator
  @inline flag(v: bool): void {
    this.buf.u8(v ? 1 : 0);
    this.count++;
  }

  /** Appends a delay result. */
  timestamp(t: Hlc): void {
    t.store(this.buf.reserve(16));
    this.count++;
  }

  /** Appends the 16-byte timestamp at `p`. */
  timestampAt(p: usize): void {
    this.buf.bytes(p, 16);
    this.count++;
  }

  /** Hands the result to the host (`output`). */
  finish(): void {
    const b = this.buf;
    if (this.batch) {
      b.ensure(4);
      store<u32>(b.base, this.count);
    }
    host_output(<i32>b.base, <i32>b.length);
    collectAfterOutput();
  }
}

/** The module's one output writer. */
export const output = new GraphOutput();
