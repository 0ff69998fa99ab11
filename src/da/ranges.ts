import type { AdderGraph, InputFormat } from './graph.js';
import { inputRange } from './graph.js';

/**
 * Exact value ranges. Every variable is a linear form Σ c_i·x_i of the inputs, and the
 * inputs vary independently over the same interval [lo, hi], so the exact range of a form
 * is [Σ_{c>0} c·lo + Σ_{c<0} c·hi, Σ_{c>0} c·hi + Σ_{c<0} c·lo]. Interval arithmetic on
 * the graph would over-estimate (a − b with a, b sharing inputs); tracking the forms is exact.
 */

/** Sparse linear form: sorted input indices and their coefficients. */
interface Form<T> {
  idx: Int32Array;
  val: T[];
}

interface Arith<T> {
  zero: T;
  shl(v: T, s: number): T;
  add(a: T, b: T): T;
  neg(a: T): T;
  isZero(v: T): boolean;
  sign(v: T): number;
  big(v: T): bigint;
}

const NUM: Arith<number> = {
  zero: 0,
  shl: (v, s) => v * 2 ** s,
  add: (a, b) => a + b,
  neg: (a) => -a,
  isZero: (v) => v === 0,
  sign: (v) => Math.sign(v),
  big: (v) => BigInt(v),
};

const BIG: Arith<bigint> = {
  zero: 0n,
  shl: (v, s) => v << BigInt(s),
  add: (a, b) => a + b,
  neg: (a) => -a,
  isZero: (v) => v === 0n,
  sign: (v) => (v > 0n ? 1 : v < 0n ? -1 : 0),
  big: (v) => v,
};

function combine<T>(A: Arith<T>, fa: Form<T>, sa: number, fb: Form<T> | null, sb: number, subtract: boolean): Form<T> {
  const idx: number[] = [];
  const val: T[] = [];
  const na = fa.idx.length;
  const nb = fb === null ? 0 : fb.idx.length;
  let p = 0;
  let q = 0;
  while (p < na || q < nb) {
    const ia = p < na ? fa.idx[p]! : Infinity;
    const ib = q < nb ? fb!.idx[q]! : Infinity;
    let v: T;
    let i: number;
    if (ia < ib) {
      i = ia;
      v = A.shl(fa.val[p++]!, sa);
    } else if (ib < ia) {
      i = ib;
      const t = A.shl(fb!.val[q++]!, sb);
      v = subtract ? A.neg(t) : t;
    } else {
      i = ia;
      const t = A.shl(fb!.val[q++]!, sb);
      v = A.add(A.shl(fa.val[p++]!, sa), subtract ? A.neg(t) : t);
    }
    if (!A.isZero(v)) {
      idx.push(i);
      val.push(v);
    }
  }
  return { idx: Int32Array.from(idx), val };
}

function formRange<T>(A: Arith<T>, f: Form<T>, lo: bigint, hi: bigint): { lo: bigint; hi: bigint } {
  let pos = A.zero;
  let neg = A.zero;
  for (const c of f.val) {
    if (A.sign(c) > 0) pos = A.add(pos, c);
    else neg = A.add(neg, c);
  }
  const P = A.big(pos);
  const N = A.big(neg);
  return { lo: P * lo + N * hi, hi: P * hi + N * lo };
}

function fill<T>(A: Arith<T>, g: AdderGraph, one: T): void {
  const { lo, hi } = inputRange(g.input);
  const forms: Form<T>[] = [];
  for (let i = 0; i < g.nIn; i++) forms.push({ idx: Int32Array.of(i), val: [one] });
  for (const n of g.nodes) {
    const fa = forms[n.a]!;
    const f =
      n.op === 'neg'
        ? combine(A, fa, n.shiftA, null, 0, true)
        : combine(A, fa, n.shiftA, forms[n.b]!, n.shiftB, n.op === 'sub');
    // neg: combine copies a; negate its coefficients.
    if (n.op === 'neg') f.val = f.val.map((v) => A.neg(v));
    forms.push(f);
    const r = formRange(A, f, lo, hi);
    n.lo = r.lo;
    n.hi = r.hi;
  }
  for (const o of g.outputs) {
    if (o.v < 0) {
      o.lo = 0n;
      o.hi = 0n;
    } else {
      const r = o.v < g.nIn ? { lo, hi } : { lo: g.nodes[o.v - g.nIn]!.lo, hi: g.nodes[o.v - g.nIn]!.hi };
      o.lo = r.lo << BigInt(o.shift);
      o.hi = r.hi << BigInt(o.shift);
    }
  }
}

/**
 * Fill in lo/hi of every node and output of `g` exactly. `maxAbsWeight` bounds the
 * matrix entries; it decides whether float arithmetic is exact (it is for every
 * coefficient below 2^53 and sums of them), else BigInt is used.
 */
export function computeRanges(g: AdderGraph, maxAbsWeight: bigint): void {
  // A coefficient of any variable, times its shift in a row, is a partial sum of one
  // weight's CSD digits, so |c| ≤ 2·max|w|; sums over all inputs stay below nIn·2·max|w|.
  const bound = maxAbsWeight * 2n * BigInt(g.nIn + 1);
  if (bound < 1n << 52n) fill(NUM, g, 1);
  else fill(BIG, g, 1n);
}

/** Bits needed to hold every value in [lo, hi]: unsigned if lo ≥ 0, else two's complement. Minimum 1. */
export function bitsFor(lo: bigint, hi: bigint, signed: boolean = lo < 0n): number {
  if (!signed) {
    if (lo < 0n) throw new Error('bitsFor: negative range cannot be unsigned');
    return Math.max(1, bitLength(hi));
  }
  return 1 + Math.max(bitLength(lo < 0n ? -lo - 1n : 0n), bitLength(hi > 0n ? hi : 0n));
}

/** Trailing zero bits of an integer's magnitude (0 for 0). */
export function trailingZeros(v: bigint): number {
  if (v === 0n) return 0;
  let x = v < 0n ? -v : v;
  let n = 0;
  while ((x & 1n) === 0n) {
    x >>= 1n;
    n++;
  }
  return n;
}

/** Number of bits of a non-negative integer (0 for 0). */
export function bitLength(v: bigint): number {
  if (v < 0n) throw new Error('bitLength of a negative number');
  return v === 0n ? 0 : v.toString(2).length;
}

export type { InputFormat };
