// A minimal unsigned big integer (little-endian u32 limbs), just enough for exact
// decimal-to-binary comparisons in float parsing.

export class BigUint {
  limbs: u32[] = [0];

  static of(v: u64): BigUint {
    const b = new BigUint();
    b.limbs[0] = <u32>v;
    if (v >>> 32) b.limbs.push(<u32>(v >>> 32));
    return b;
  }

  /** this = this * m + add */
  mulAdd(m: u32, add: u32): void {
    let carry: u64 = add;
    const limbs = this.limbs;
    for (let i = 0, n = limbs.length; i < n; i++) {
      const t = <u64>unchecked(limbs[i]) * <u64>m + carry;
      unchecked((limbs[i] = <u32>t));
      carry = t >>> 32;
    }
    if (carry) limbs.push(<u32>carry);
  }

  /** this = this * 5^n */
  mulPow5(n: i32): void {
    while (n >= 13) {
      this.mulAdd(1220703125, 0); // 5^13
      n -= 13;
    }
    let m: u32 = 1;
    while (n-- > 0) m *= 5;
    if (m != 1) this.mulAdd(m, 0);
  }

  /** this = this << n */
  shl(n: i32): void {
    const words = n >>> 5;
    const bits = <u32>(n & 31);
    const limbs = this.limbs;
    if (bits) {
      let carry: u32 = 0;
      for (let i = 0, len = limbs.length; i < len; i++) {
        const v = unchecked(limbs[i]);
        unchecked((limbs[i] = (v << bits) | carry));
        carry = v >>> (32 - bits);
      }
      if (carry) limbs.push(carry);
    }
    if (words) {
      const shifted = new Array<u32>(words).fill(0);
      this.limbs = shifted.concat(limbs);
    }
  }

  /** -1, 0 or 1 as this is less than, equal to or greater than `other`. */
  compare(other: BigUint): i32 {
    const a = this.trimmed();
    const b = other.trimmed();
    if (a != b) return a < b ? -1 : 1;
    for (let i = a - 1; i >= 0; i--) {
      const x = unchecked(this.limbs[i]);
      const y = unchecked(other.limbs[i]);
      if (x != y) return x < y ? -1 : 1;
    }
    return 0;
  }

  isZero(): bool {
    return this.trimmed() == 0;
  }

  private trimmed(): i32 {
    let n = this.limbs.length;
    while (n > 0 && unchecked(this.limbs[n - 1]) == 0) n--;
    return n;
  }
}
