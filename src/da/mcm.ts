import type { GraphBuilder } from './builder.js';
import { csdWeightNumber } from './csd.js';

/**
 * Multiple constant multiplication (MCM): one input x times many constants, the N×1 case of
 * the matrix problem. Every output c·x is (t·x) << k with t odd, so the task is to build the
 * distinct odd t ("fundamentals", signed) from 1 with as few two-operand adders as possible;
 * each distinct non-trivial |t| needs at least one, which is a lower bound.
 *
 * The method follows the graph-based family (RAG-n, Hcub) in spirit, with our own choices:
 * a fundamental is w = ±(u << i) ± (v << j), not both negated, with one of i, j zero and the
 * other ≥ 1 (odd operands then give an odd result, and no right shift is ever needed). Working
 * with signed values lets a negative constant be built as a subtraction at no extra cost.
 *  1. Any target reachable with one adder from the realised set R is built at once.
 *  2. Otherwise the successor (one adder from R) that puts the most targets at distance one
 *     is built; if none does, the successor whose use removes the most CSD digits from the
 *     remaining targets.
 * Depth is bounded: a fundamental's level is 1 + its deeper operand's, and stays within the
 * bound (targets) or one less (intermediates).
 */

interface Construction {
  /** value = (a << sa) + (b << sb)  or  (a << sa) − (b << sb) */
  a: number;
  sa: number;
  b: number;
  sb: number;
  sub: boolean;
  depth: number;
}

function oddPart(n: number): { odd: number; shift: number } {
  let s = 0;
  while (n % 2 === 0 && n !== 0) {
    n /= 2;
    s++;
  }
  return { odd: n, shift: s };
}

export interface McmResult {
  /** Output o = var << shift; var −1 for zero. */
  outs: { v: number; shift: number }[];
  /** Fundamentals built (adders). */
  fundamentals: number;
}

/**
 * Most distinct odd constants the search takes on: its successor sets grow with the square of
 * the fundamentals built (seconds at 1000 constants, over a minute at 3600); beyond, the CSE
 * attempts alone build the constants.
 */
export const MAX_MCM_TARGETS = 1024;

/**
 * Most candidate evaluations one search makes (successors offered, helpers and digit gains
 * weighed): a few seconds. The work grows with the fundamentals built times the constants'
 * width; wide constants (30 bits and more) need many fundamentals, and without a bound a 12×1
 * column of 48-bit weights ran for a quarter of an hour and then exhausted a Map. Past the
 * budget the search gives up, and the CSE attempts alone build the constants.
 */
export const MAX_MCM_WORK = 2 ** 26;

/**
 * Solve MCM for the constants (|c| < 2^50) into the builder (input variable 0). Returns null
 * when the constants are too wide or too many (MAX_MCM_TARGETS) for this method, the search
 * exceeds its budget (`maxWork` candidate evaluations, MAX_MCM_WORK), or the bound cannot be met.
 */
export function solveMcm(constants: bigint[], bound: number, b: GraphBuilder, maxWork = MAX_MCM_WORK): McmResult | null {
  const LIMIT = 2n ** 50n;
  if (constants.some((c) => c >= LIMIT || c <= -LIMIT)) return null;
  const outInfo = constants.map((c) => {
    const n = Number(c);
    if (n === 0) return { t: 0, k: 0 };
    const { odd, shift } = oddPart(Math.abs(n));
    return { t: n < 0 ? -odd : odd, k: shift };
  });
  const targets = [...new Set(outInfo.map((o) => o.t).filter((t) => t !== 0 && t !== 1))].sort((x, y) => Math.abs(x) - Math.abs(y) || x - y);
  if (targets.length > MAX_MCM_TARGETS) return null;
  const maxT = Math.max(1, ...targets.map((t) => Math.abs(t)));
  const maxBits = Math.ceil(Math.log2(maxT + 1));
  const maxShift = maxBits + 1;
  const maxVal = 2 ** (maxBits + 1);
  const limitFor = (isTarget: boolean): number => (bound === Infinity ? Infinity : isTarget ? bound : bound - 1);

  const R = new Map<number, Construction | null>([[1, null]]);
  const depth = new Map<number, number>([[1, 0]]);
  const S = new Map<number, Construction>();
  const order: number[] = [1];
  let work = 0;

  const offer = (w: number, c: Construction): void => {
    if (w === 0 || Math.abs(w) > maxVal || R.has(w)) return;
    const old = S.get(w);
    if (old === undefined || c.depth < old.depth) S.set(w, c);
  };
  /** All values one adder away using r (with every realised q, r itself included). */
  const successorsWith = (r: number): void => {
    const dr = depth.get(r)!;
    work += order.length * maxShift * 6;
    for (const q of order) {
      const d = Math.max(dr, depth.get(q)!) + 1;
      for (let s = 1; s <= maxShift; s++) {
        const p2 = 2 ** s;
        for (const [u, v] of [
          [r, q],
          [q, r],
        ] as const) {
          // (u << s) + v, (u << s) − v, v − (u << s)
          offer(u * p2 + v, { a: u, sa: s, b: v, sb: 0, sub: false, depth: d });
          offer(u * p2 - v, { a: u, sa: s, b: v, sb: 0, sub: true, depth: d });
          offer(v - u * p2, { a: v, sa: 0, b: u, sb: s, sub: true, depth: d });
        }
      }
    }
  };
  const realise = (w: number, c: Construction): void => {
    R.set(w, c);
    depth.set(w, c.depth);
    order.push(w);
    S.delete(w);
    successorsWith(w);
  };
  successorsWith(1);

  const remaining = new Set(targets);
  for (let guard = 0; remaining.size > 0 && guard < 100_000; guard++) {
    // 1. targets one adder away
    let progress = true;
    while (progress) {
      progress = false;
      for (const t of [...remaining]) {
        const c = S.get(t);
        if (c !== undefined && c.depth <= limitFor(true)) {
          realise(t, c);
          remaining.delete(t);
          progress = true;
        }
      }
    }
    if (remaining.size === 0) break;
    if (work > maxWork) return null;

    // 2. the successor that puts the most targets one adder away
    const score = new Map<number, number>();
    work += remaining.size * order.length * (maxShift * 3 + 3);
    for (const t of remaining) {
      const helpers = new Set<number>();
      const consider = (s: number, partnerDepth: number): void => {
        if (s === 0 || !Number.isInteger(s) || s % 2 === 0) return;
        const c = S.get(s);
        if (c === undefined || c.depth > limitFor(false)) return;
        if (Math.max(c.depth, partnerDepth) + 1 > limitFor(true)) return;
        helpers.add(s);
      };
      for (const r of order) {
        const dr = depth.get(r)!;
        for (let j = 1; j <= maxShift; j++) {
          const rj = r * 2 ** j;
          consider(t - rj, dr); // t = s + (r << j)
          consider(t + rj, dr); // t = s − (r << j)
          consider(rj - t, dr); // t = (r << j) − s
        }
        for (const [num, sgn] of [
          [t - r, 1], // t = (s << i) + r
          [t + r, 1], // t = (s << i) − r
          [r - t, 1], // t = r − (s << i)
        ] as const) {
          if (num !== 0) consider((sgn * num) / 2 ** oddPart(Math.abs(num)).shift, dr);
        }
      }
      for (let i = 2; i <= maxShift; i++) {
        const p = 2 ** i;
        consider(t / (p + 1), 0); // t = (s << i) + s
        consider(t / (p - 1), 0); // t = (s << i) − s
        consider(-t / (p - 1), 0); // t = s − (s << i)
      }
      for (const s of helpers) score.set(s, (score.get(s) ?? 0) + 1);
    }
    let best: number | null = null;
    let bestScore = 0;
    const prefer = (s: number, cur: number | null): boolean => {
      if (cur === null) return true;
      const c = S.get(s)!;
      const k = S.get(cur)!;
      return c.depth < k.depth || (c.depth === k.depth && (Math.abs(s) < Math.abs(cur) || (Math.abs(s) === Math.abs(cur) && s > cur)));
    };
    for (const [s, sc] of score) {
      if (sc > bestScore || (sc === bestScore && prefer(s, best))) {
        best = s;
        bestScore = sc;
      }
    }
    if (best === null) {
      // 3. the successor that removes the most CSD digits from the remaining targets
      let bestGain = 0;
      work += S.size * remaining.size * (maxShift + 1);
      if (work > maxWork) return null;
      for (const [s, c] of S) {
        if (c.depth > limitFor(false)) continue;
        let gain = 0;
        for (const t of remaining) {
          const before = csdWeightNumber(t);
          let after = before;
          for (let k = 0; k <= maxShift; k++) {
            const sk = s * 2 ** k;
            if (Math.abs(sk) > 2 * maxVal) break;
            after = Math.min(after, csdWeightNumber(t - sk) + 1, csdWeightNumber(t + sk) + 1);
          }
          gain += before - after;
        }
        if (gain > bestGain || (gain === bestGain && gain > 0 && prefer(s, best))) {
          best = s;
          bestGain = gain;
        }
      }
    }
    if (best === null) return null; // nothing useful is reachable within the bound
    realise(best, S.get(best)!);
  }
  if (remaining.size > 0) return null;

  // Build the fundamentals some output depends on, in the order they were found.
  const needed = new Set<number>();
  const mark = (w: number): void => {
    if (w === 1 || needed.has(w)) return;
    needed.add(w);
    const c = R.get(w)!;
    mark(c.a);
    mark(c.b);
  };
  for (const t of targets) mark(t);
  const vars = new Map<number, number>([[1, 0]]);
  for (const w of order) {
    if (!needed.has(w)) continue;
    const c = R.get(w)!;
    vars.set(w, b.node(c.sub ? 'sub' : 'add', vars.get(c.a)!, c.sa, vars.get(c.b)!, c.sb));
  }
  const outs = outInfo.map((o) => (o.t === 0 ? { v: -1, shift: 0 } : { v: vars.get(o.t)!, shift: o.k }));
  return { outs, fundamentals: needed.size };
}
