import { OffsetStart } from '@eddy/protocol';

/** Start kinds: the wire's OffsetStart plus FromBeginning, which the client turns into an absolute offset. */
export const OffsetKind = { ...OffsetStart, FromBeginning: 5 } as const;
export type OffsetKind = (typeof OffsetKind)[keyof typeof OffsetKind];

/** Where a consumer stream starts. */
export class Offset {
  readonly kind: OffsetKind;
  /** The absolute offset, the count from the end, or the timestamp (ms); 0 for beginning/end. */
  readonly value: number;

  private constructor(kind: OffsetKind, value: number) {
    this.kind = kind;
    this.value = value;
  }

  /** The first record still in the log. */
  static beginning(): Offset { return new Offset(OffsetStart.Beginning, 0); }
  /** Only records produced after the stream starts. */
  static end(): Offset { return new Offset(OffsetStart.End, 0); }
  /** The record at this offset. */
  static absolute(offset: number): Offset { return new Offset(OffsetStart.Absolute, check(offset, 'offset')); }
  /** `n` records after the first record still in the log (capped at the end). */
  static fromBeginning(n: number): Offset { return new Offset(OffsetKind.FromBeginning, check(n, 'count from the beginning')); }
  /** The last `n` records of each partition (0 = same as end). */
  static fromEnd(n: number): Offset { return new Offset(OffsetStart.FromEnd, check(n, 'count from the end')); }
  /** The first record whose timestamp is at or after `ms` (epoch milliseconds). */
  static timestamp(ms: number | Date): Offset {
    return new Offset(OffsetStart.Timestamp, check(ms instanceof Date ? ms.getTime() : ms, 'timestamp'));
  }

  toString(): string {
    switch (this.kind) {
      case OffsetStart.Beginning: return 'beginning';
      case OffsetStart.End: return 'end';
      case OffsetStart.Absolute: return `offset ${this.value}`;
      case OffsetStart.FromEnd: return `${this.value} from the end`;
      case OffsetKind.FromBeginning: return `${this.value} from the beginning`;
      default: return `timestamp ${new Date(this.value).toISOString()}`;
    }
  }
}

function check(n: number, what: string): number {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`${what} must be a non-negative integer, got ${n}`);
  return n;
}
