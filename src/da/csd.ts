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

function popcount32(x: number): number {
  let c = 0;
  let l = x >>> 0;
  while (l !== 0) {
    l &= l - 1;
    c++;
  }
  return c;
}

/** csdWeight for a JS number with |n| < 2^50: popcount((3n XOR n) >> 1), in 32-bit halves. */
export function csdWeightNumber(n: number): number {
  if (n < 0) n = -n;
  const t = 3 * n;
  const H = 4294967296;
  const xh = (Math.floor(t / H) ^ Math.floor(n / H)) >>> 0;
  const xl = ((t % H) ^ (n % H)) >>> 0;
  // (x >> 1): the low bit of the high half moves into the low half
  return popcount32(xh >>> 1) + popcount32((xl >>> 1) | ((xh & 1) << 31));
}

/** csdWeight for |n| < 2^29 (3n then fits 32 bits): the fast path of the hot loops. */
export function csdWeightSmall(n: number): number {
  const a = n < 0 ? -n : n;
  return popcount32(((a * 3) ^ a) >>> 1);
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
