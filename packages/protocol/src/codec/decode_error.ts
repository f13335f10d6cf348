/** A frame or field could not be decoded: malformed input, never retriable. */
export class DecodeError extends Error {
  override name = 'DecodeError';
}
