import { Writer } from './codec/writer.ts';
import { Reader } from './codec/reader.ts';
import type { Schema } from './codec/schema.ts';
import { RequestHeader } from './header.ts';
import { framed } from './frame.ts';

/** Encodes a whole request frame (size prefix included) as parts for one corked write. */
export function encodeRequest<T>(header: RequestHeader, schema: Schema<T>, body: T): Buffer[] {
  const w = new Writer();
  RequestHeader.write(w, header);
  schema.write(w, body);
  return framed(w.parts());
}

/** Encodes a whole response frame; large byte fields (stored batches) are referenced, not copied. */
export function encodeResponse<T>(correlationId: number, schema: Schema<T>, body: T): Buffer[] {
  const w = new Writer();
  w.i32(correlationId);
  schema.write(w, body);
  return framed(w.parts());
}

/** Reads the request header of a frame body and returns a reader positioned at the request. */
export function readRequestHeader(body: Buffer): { header: RequestHeader; reader: Reader } {
  const reader = new Reader(body);
  const header = RequestHeader.read(reader);
  return { header, reader };
}

/** Reads the correlation id of a response frame body and returns a reader at the response. */
export function readResponseHeader(body: Buffer): { correlationId: number; reader: Reader } {
  const reader = new Reader(body);
  return { correlationId: reader.i32(), reader };
}
