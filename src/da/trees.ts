import type { GraphBuilder } from './builder.js';

/** A term ±(v << shift) of an output. */
export interface Term {
  v: number;
  shift: number;
  sign: number;
}

/** Binary min-heap of terms by adder level (then variable, then shift, for determinism). */
class TermHeap {
  private readonly h: Term[] = [];
  constructor(private readonly levels: readonly number[]) {}
  get size(): number {
    return this.h.length;
  }
  private less(p: Term, q: Term): boolean {
    const lp = this.levels[p.v]!;
    const lq = this.levels[q.v]!;
    return lp !== lq ? lp < lq : p.v !== q.v ? p.v < q.v : p.shift < q.shift;
  }
  push(t: Term): void {
    const h = this.h;
    h.push(t);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }
  pop(): Term {
    const h = this.h;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.less(h[l]!, h[m]!)) m = l;
        if (r < h.length && this.less(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
}

/**
 * Sum the terms of one output, always adding the two shallowest first: the depth reached is
 * the least possible for terms at those levels, ceil(log2 Σ 2^level). A term pair of opposite
 * signs becomes one subtraction; if every term is negative, the shallowest one is negated first,
 * so the sum comes out positive. Returns the root term (sign +1), or null for no terms.
 */
export function buildTree(terms: Term[], b: GraphBuilder): Term | null {
  if (terms.length === 0) return null;
  const heap = new TermHeap(b.levels);
  const work = terms.map((t) => ({ ...t }));
  if (!work.some((t) => t.sign > 0)) {
    let m = 0;
    for (let k = 1; k < work.length; k++) {
      const lk = b.levels[work[k]!.v]!;
      const lm = b.levels[work[m]!.v]!;
      if (lk < lm || (lk === lm && (work[k]!.v < work[m]!.v || (work[k]!.v === work[m]!.v && work[k]!.shift < work[m]!.shift)))) m = k;
    }
    work[m] = { v: b.negate(work[m]!.v), shift: work[m]!.shift, sign: 1 };
  }
  for (const t of work) heap.push(t);
  while (heap.size > 1) {
    const p = heap.pop();
    const q = heap.pop();
    const s0 = Math.min(p.shift, q.shift);
    let v: number;
    let sign: number;
    if (p.sign === q.sign) {
      v = b.node('add', p.v, p.shift - s0, q.v, q.shift - s0);
      sign = p.sign;
    } else {
      const [pos, neg] = p.sign > 0 ? [p, q] : [q, p];
      v = b.node('sub', pos.v, pos.shift - s0, neg.v, neg.shift - s0);
      sign = 1;
    }
    heap.push({ v, shift: s0, sign });
  }
  return heap.pop();
}
