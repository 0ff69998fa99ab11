import type { AdderGraph, AdderNode } from './graph.js';
import { bitsFor } from './ranges.js';

/**
 * Sign choice: each adder may compute its value v or −v, whichever needs less logic, with the
 * same number of adders, the same depth and the same outputs.
 *
 * Why: on iCE40 the carry chain takes its operands straight from the logic cell's input pins,
 * so a − b (written a + ¬b + 1) needs ¬b from lookup tables of its own, one logic cell per
 * bit, unless b arrives inverted. The lowering keeps a signal complemented when every reader
 * subtracts it (the adder computing it inverts for free), and gives any other subtracted
 * signal one inverted copy shared by its subtractors. Inputs cannot be inverted upstream.
 *
 * Model: node k realises h_k = σ_k·v_k with σ_k = ±1 (inputs have σ = +1). If v_k = a ± b,
 * then h_k = t_a·h_a + t_b·h_b with t_a = σ_k·σ_a and t_b = ±σ_k·σ_b. (+,+) is an addition,
 * (+,−) or (−,+) a subtraction, (−,−) cannot be built with one adder and is never chosen.
 * Outputs read their nodes as they are, so those keep σ = +1; negations and what they read
 * keep their signs too. The cost is the width of every variable that needs an inverted copy
 * (some reader subtracts it and another adds it, an output reads it, or it is an input) plus
 * every adder's carry-chain length (which depends on the operand subtracted: low bits can be
 * copied from a minuend but not from a subtrahend).
 *
 * Search: flipping σ of a subtraction keeps it one; its readers' term signs change, and a
 * reader that would become (−,−) flips in turn (becoming an addition). Greedy descent over
 * such flips with their cascades, then a few rounds that also take moves of equal cost, each
 * followed by descent, keeping the best. Deterministic: nodes are visited in order.
 */

export interface SignResult {
  graph: AdderGraph;
  /** Subtractors (and negations) before and after. */
  subtractorsBefore: number;
  subtractorsAfter: number;
}

const MAX_PASSES = 8;
const SIDEWAYS_ROUNDS = 6;

export function optimizeSigns(g: AdderGraph): SignResult {
  const nIn = g.nIn;
  const N = g.nodes.length;
  const nodes = g.nodes;
  // readers of each variable: node indices (k), and whether the read is operand b
  const readers: number[][] = Array.from({ length: nIn + N }, () => []);
  nodes.forEach((n, k) => {
    readers[n.a]!.push(k);
    if (n.op !== 'neg' && n.b !== n.a) readers[n.b]!.push(k);
  });
  const locked = new Uint8Array(N);
  for (const o of g.outputs) if (o.v >= nIn) locked[o.v - nIn] = 1;
  nodes.forEach((n, k) => {
    if (n.op === 'neg') {
      locked[k] = 1;
      if (n.a >= nIn) locked[n.a - nIn] = 1;
    }
    // a node reading one variable twice (a ± a) keeps its form
    if (n.op !== 'neg' && n.a === n.b) locked[k] = 1;
  });
  // widths of v and of −v (they can differ by one: [−8, 7] needs 4 bits, [−7, 8] needs 5)
  const weight = nodes.map((n) => bitsFor(n.lo, n.hi));
  const weightNeg = nodes.map((n) => bitsFor(-n.hi, -n.lo));

  const sigma = new Int8Array(N).fill(1);
  const sgn = (v: number, flip: Map<number, number> | null): number => {
    if (v < nIn) return 1;
    const k = v - nIn;
    return flip?.get(k) ?? sigma[k]!;
  };
  /** Term signs of node k under σ (with `flip` overriding): [t_a, t_b]. */
  const terms = (k: number, flip: Map<number, number> | null): [number, number] => {
    const n = nodes[k]!;
    const s = flip?.get(k) ?? sigma[k]!;
    if (n.op === 'neg') return [-s * sgn(n.a, flip), 1];
    return [s * sgn(n.a, flip), (n.op === 'add' ? 1 : -1) * s * sgn(n.b, flip)];
  };
  /** Inversion cost of variable v: its width when it needs an inverted copy, else 0. */
  const isOut = new Uint8Array(nIn + N);
  for (const o of g.outputs) if (o.v >= 0) isOut[o.v] = 1;
  const widthOf = (k: number, flip: Map<number, number> | null): number => ((flip?.get(k) ?? sigma[k]!) > 0 ? weight[k]! : weightNeg[k]!);
  const width = (v: number, flip: Map<number, number> | null): number => (v < nIn ? g.input.width : widthOf(v - nIn, flip));
  const cost = (v: number, flip: Map<number, number> | null): number => {
    let pos = isOut[v] === 1 || v < nIn;
    let neg = false;
    for (const k of readers[v]!) {
      const n = nodes[k]!;
      const [ta, tb] = terms(k, flip);
      if (n.a === v) (ta > 0 ? (pos = true) : (neg = true));
      if (n.op !== 'neg' && n.b === v) (tb > 0 ? (pos = true) : (neg = true));
      if (pos && neg) return width(v, flip);
    }
    return 0;
  };
  /**
   * Carry-chain length of node k: its width less the low bits that need no chain (zeros, or
   * bits copied from the less-shifted operand, which a subtraction can do only for its minuend).
   */
  const chain = (k: number, flip: Map<number, number> | null): number => {
    const n = nodes[k]!;
    const [ta, tb] = terms(k, flip);
    let t: number;
    if (n.op === 'neg') t = n.shiftA;
    else if (ta > 0 && tb > 0) t = Math.max(n.shiftA, n.shiftB);
    else t = ta > 0 ? n.shiftB : n.shiftA;
    return Math.max(1, widthOf(k, flip) - t);
  };
  const subtractors = (flip: Map<number, number> | null): number => {
    let c = 0;
    for (let k = 0; k < N; k++) {
      const [ta, tb] = terms(k, flip);
      if (ta < 0 || tb < 0) c++;
    }
    return c;
  };
  const before = subtractors(null);

  /** Try flipping node k: the cascade and the change in cost, or null when it cannot be done. */
  const tryFlip = (k: number): { flip: Map<number, number>; delta: number } | null => {
    const flip = new Map<number, number>([[k, -sigma[k]!]]);
    const touched = new Set<number>([k]);
    // readers of flipped nodes, in increasing order, so each is decided after its operands
    const pending: number[] = [...readers[nIn + k]!];
    const seen = new Set<number>(pending);
    pending.sort((x, y) => x - y);
    while (pending.length > 0) {
      const c = pending.shift()!;
      touched.add(c);
      const [ta, tb] = terms(c, flip);
      if (ta < 0 && tb < 0) {
        if (locked[c]) return null;
        flip.set(c, -sigma[c]!);
        for (const r of readers[nIn + c]!) {
          if (seen.has(r)) continue;
          seen.add(r);
          // insert keeping order (cascades are short)
          let i = pending.length;
          while (i > 0 && pending[i - 1]! > r) i--;
          pending.splice(i, 0, r);
        }
      }
    }
    // variables whose readers' term signs may have changed
    const vars = new Set<number>();
    for (const t of touched) {
      const n = nodes[t]!;
      vars.add(nIn + t);
      vars.add(n.a);
      if (n.op !== 'neg') vars.add(n.b);
    }
    let delta = 0;
    for (const v of vars) delta += cost(v, flip) - cost(v, null);
    for (const t of touched) delta += chain(t, flip) - chain(t, null);
    return { flip, delta };
  };

  // Greedy descent; then, from the best point, rounds that also take moves of equal cost
  // (a move and its undo are never both taken in one round: a flipped node is not revisited),
  // each followed by descent, keeping the best assignment seen.
  const total = (): number => {
    let c = 0;
    for (let v = 0; v < nIn + N; v++) c += cost(v, null);
    for (let k = 0; k < N; k++) c += chain(k, null);
    return c;
  };
  const sweep = (sideways: boolean): boolean => {
    let changed = false;
    const moved = new Uint8Array(N);
    for (let k = 0; k < N; k++) {
      if (locked[k] || moved[k]) continue;
      const [ta, tb] = terms(k, null);
      if (ta > 0 && tb > 0) continue; // only subtractions can flip on their own
      const m = tryFlip(k);
      if (m === null || m.delta > 0 || (m.delta === 0 && !sideways)) continue;
      for (const [j, s] of m.flip) {
        sigma[j] = s;
        moved[j] = 1;
      }
      changed = true;
    }
    return changed;
  };
  const descend = (): void => {
    for (let pass = 0; pass < MAX_PASSES && sweep(false); pass++);
  };
  descend();
  let best = Int8Array.from(sigma);
  let bestCost = total();
  for (let round = 0; round < SIDEWAYS_ROUNDS; round++) {
    if (!sweep(true)) break;
    descend();
    const c = total();
    if (c < bestCost) {
      bestCost = c;
      best = Int8Array.from(sigma);
    }
  }
  sigma.set(best);

  const out: AdderNode[] = nodes.map((n, k) => {
    const s = sigma[k]!;
    const lo = s > 0 ? n.lo : -n.hi;
    const hi = s > 0 ? n.hi : -n.lo;
    if (n.op === 'neg') return { ...n, lo, hi };
    const [ta, tb] = terms(k, null);
    if (ta > 0 && tb > 0) return { ...n, op: 'add', lo, hi };
    if (ta > 0) return { ...n, op: 'sub', lo, hi };
    // (−,+): b − a
    return { ...n, op: 'sub', a: n.b, shiftA: n.shiftB, b: n.a, shiftB: n.shiftA, lo, hi };
  });
  return { graph: { ...g, nodes: out }, subtractorsBefore: before, subtractorsAfter: subtractors(null) };
}
