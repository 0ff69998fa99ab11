import { csdWeight, csdWeightSmall } from './csd.js';

/**
 * Output-difference decomposition. Rows of a matrix are often close to one another, or to a
 * shifted or negated copy: then y_a = Δ_a·x ± (y_b << s) with Δ_a = W_a ∓ 2^s·W_b needs fewer
 * digits than W_a·x, at the price of one adder. A spanning tree over the rows (plus a zero row
 * as the root, whose children are computed directly) picks for each row its parent, shift and
 * sign, growing the tree by the cheapest edge each time (Prim). Depth is respected: a row's
 * level is max(level of its Δ sum, level of its parent) + 1, and it must stay within the bound.
 */
export interface RowDecomposition {
  /** Parent row, or −1 when the row is computed directly (Δ = W). */
  parent: number[];
  shift: number[];
  sign: number[];
  /** The rows left to compute with shared adders: Δ_a = W_a − sign·2^shift·W_parent. */
  delta: bigint[][];
  /** Rows in an order where every parent comes before its children. */
  order: number[];
  /**
   * Depth budget of each Δ row, so that every row's result, and all its descendants', stays
   * within the bound (Infinity when unbounded).
   */
  deltaBound: number[];
  /** CSD digits of all rows before and of all Δ rows after (for the log). */
  digitsBefore: number;
  digitsAfter: number;
}

/** CSD digit count: the 32-bit fast path when every value involved is below 2^29, else BigInt. */
function digitsOf(n: bigint, small: boolean): number {
  return small ? csdWeightSmall(Number(n)) : csdWeight(n);
}

function depthFor(digits: number): number {
  return digits <= 1 ? 0 : Math.ceil(Math.log2(digits));
}

export interface SpanningTree {
  /** Parent vector, or −1 when attached to the zero root (taken as it is). */
  parent: number[];
  shift: number[];
  sign: number[];
  /** Vectors in an order where every parent comes before its children. */
  order: number[];
  /** Δ_a = V_a − sign·2^shift·V_parent (V_a itself for the root's children). */
  delta: bigint[][];
  digitsBefore: number;
  digitsAfter: number;
}

/**
 * Most digit counts spanningTree may spend (n² vector pairs × length × shifts × signs, about a
 * few seconds); a larger problem, such as the columns of one very long row, is not decomposed.
 */
export const MAX_TREE_WORK = 2 ** 28;

/**
 * Prim's algorithm over vectors plus a zero root: attach, one at a time, the vector that is
 * cheapest to express, either as itself (its CSD digits) or from a vector already attached
 * (digits of the difference, plus `edgeCost` for the adder that adds the parent back: after
 * sharing, a CSD digit costs well under one adder, so an edge should save more than one digit).
 * `fits(a, p, deltaDigits)` may refuse an edge.
 * `shifts` is the largest s tried in V_a ≈ ±2^s·V_p. Returns null when nothing is gained, or
 * when the search would take more than MAX_TREE_WORK digit counts.
 */
export function spanningTree(
  vecs: bigint[][],
  shifts: number,
  edgeCost: number,
  fits: (a: number, p: number, deltaDigits: number) => boolean,
  attached?: (a: number, p: number, deltaDigits: number) => void,
): SpanningTree | null {
  const n = vecs.length;
  const len = vecs[0]!.length;
  if (n * n * len * (shifts + 1) * 2 > MAX_TREE_WORK) return null;
  let maxAbs = 0n;
  for (const r of vecs) for (const w of r) if ((w < 0n ? -w : w) > maxAbs) maxAbs = w < 0n ? -w : w;
  const small = maxAbs << BigInt(shifts + 2) < 1n << 29n;
  const smallVecs = small ? vecs.map((r) => Int32Array.from(r, (w) => Number(w))) : [];
  const own = vecs.map((r) => r.reduce((acc, w) => acc + digitsOf(w, small), 0));
  const diffDigits = (a: number, b: number, sign: number, s: number): number => {
    let d = 0;
    if (small) {
      const ra = smallVecs[a]!;
      const rb = smallVecs[b]!;
      const m = sign * 2 ** s;
      for (let i = 0; i < len; i++) d += csdWeightSmall(ra[i]! - m * rb[i]!);
      return d;
    }
    const ra = vecs[a]!;
    const rb = vecs[b]!;
    const m = BigInt(sign) << BigInt(s);
    for (let i = 0; i < len; i++) d += csdWeight(ra[i]! - m * rb[i]!);
    return d;
  };

  const inTree = new Uint8Array(n);
  const bestCost = own.slice();
  const bestParent = new Int32Array(n).fill(-1);
  const bestShift = new Int32Array(n);
  const bestSign = new Int32Array(n).fill(1);
  const bestDelta = own.slice();
  const order: number[] = [];
  for (let step = 0; step < n; step++) {
    let a = -1;
    for (let k = 0; k < n; k++) if (!inTree[k] && (a < 0 || bestCost[k]! < bestCost[a]!)) a = k;
    inTree[a] = 1;
    order.push(a);
    attached?.(a, bestParent[a]!, bestDelta[a]!);
    for (let k = 0; k < n; k++) {
      if (inTree[k]) continue;
      for (let s = 0; s <= shifts; s++) {
        for (const sign of [1, -1]) {
          const dd = diffDigits(k, a, sign, s);
          if (dd + edgeCost < bestCost[k]! && fits(k, a, dd)) {
            bestCost[k] = dd + edgeCost;
            bestParent[k] = a;
            bestShift[k] = s;
            bestSign[k] = sign;
            bestDelta[k] = dd;
          }
        }
      }
    }
  }
  if (!bestParent.some((p) => p >= 0)) return null;
  const parent = Array.from(bestParent);
  const shift = Array.from(bestShift);
  const sign = Array.from(bestSign);
  const delta = vecs.map((r, a) => {
    const p = parent[a]!;
    if (p < 0) return r.slice();
    const m = BigInt(sign[a]!) << BigInt(shift[a]!);
    return r.map((w, i) => w - m * vecs[p]![i]!);
  });
  let digitsAfter = 0;
  for (let a = 0; a < n; a++) digitsAfter += parent[a]! < 0 ? own[a]! : bestDelta[a]!;
  return { parent, shift, sign, order, delta, digitsBefore: own.reduce((x, y) => x + y, 0), digitsAfter };
}

/**
 * Decompose the rows; `shifts` is the largest s tried in y_a ≈ ±(y_b << s). Returns null when no
 * row is worth taking from another (the plain matrix is then best).
 */
export function decomposeRows(rows: bigint[][], bound: number, shifts: number, edgeCost: number): RowDecomposition | null {
  const n = rows.length;
  const level = new Int32Array(n);
  const t = spanningTree(
    rows,
    shifts,
    edgeCost,
    (_a, p, dd) => bound === Infinity || Math.max(depthFor(dd), level[p]!) + 1 <= bound,
    (a, p, dd) => {
      level[a] = p < 0 ? depthFor(dd) : Math.max(depthFor(dd), level[p]!) + 1;
    },
  );
  if (t === null) return null;
  // Latest level each row may reach so that all its descendants still fit: leaves may use the
  // whole bound, a parent one level less than its earliest-needed child.
  const latest = new Array<number>(n).fill(bound);
  for (let k = t.order.length - 1; k >= 0; k--) {
    const a = t.order[k]!;
    const p = t.parent[a]!;
    if (p >= 0) latest[p] = Math.min(latest[p]!, latest[a]! - 1);
  }
  const deltaBound = latest.map((x, a) => (t.parent[a]! < 0 ? x : x - 1));
  return { ...t, deltaBound };
}
