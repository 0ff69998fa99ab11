/** One non-zero digit of a canonical signed-digit number: sign · 2^shift. */
export interface CsdDigit {
  shift: number;
  sign: 1 | -1;
}

/**
 * Canonical signed digit (non-adjacent form) recoding: n = Σ sign·2^shift with digits in
 * {-1, 0, 1}, no two adjacent digits non-zero, and the fewest non-zero digits of any
 * signed-digit form. Digits come in increasing shift order.
 */
export function csd(n: bigint): CsdDigit[] {
  const digits: CsdDigit[] = [];
  let v = n;
  let shift = 0;
  while (v !== 0n) {
    if ((v & 1n) !== 0n) {
      // v mod 4 == 1 → digit +1, v mod 4 == 3 → digit −1 (this makes the next digit zero).
      const sign: 1 | -1 = (v & 3n) === 1n ? 1 : -1;
      digits.push({ shift, sign });
      v -= BigInt(sign);
    }
    v >>= 1n;
    shift++;
  }
  return digits;
}

/** Number of non-zero CSD digits of n. */
export function csdWeight(n: bigint): number {
  return csd(n).length;
}

/**
 * The usual no-sharing reference count: each output sums its non-zero CSD digits one by
 * one, Σ over outputs of (non-zero digits − 1). (It does not charge the negation an output
 * whose every digit is negative would need; da-gen's own count does.)
 */
export function naiveAdderCount(weights: bigint[][]): number {
  let total = 0;
  for (const row of weights) {
    let digits = 0;
    for (const w of row) digits += csdWeight(w);
    if (digits > 0) total += digits - 1;
  }
  return total;
}
