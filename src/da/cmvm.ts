import { csd, naiveAdderCount } from './csd.js';
import type { AdderGraph, AdderNode, AdderOp, GraphOutput, InputFormat } from './graph.js';
import { PairTable } from './pair-table.js';
import { computeRanges } from './ranges.js';

/**
 * Constant matrix-vector multiplication (CMVM) optimizer.
 *
 * 1. Every weight is recoded in CSD, so output o is a sum of signed, shifted terms
 *    ±(x_i << s). Each output is a "row" of such terms.
 * 2. Common two-term subexpressions are extracted across the whole matrix, in phases.
 *    In a phase, the pairs of terms that occur together in a row are counted, up to a
 *    common shift and sign: the pattern `u ± (v << d)`. The most frequent pattern is built
 *    once as a new node and replaces its occurrences in every row; counts of the pairs it
 *    destroyed are decremented, and so on while some pattern occurs twice. Nodes made in a
 *    phase become ordinary terms for the next phase, so sharing is found level by level
 *    (a phase pairs terms of similar depth, which keeps the graph shallow).
 * 3. Each output then sums its remaining terms with a tree that always adds the two
 *    shallowest terms first (minimum depth for those terms).
 * 4. Identical nodes are built once (hash-consing), and exact value ranges are filled in.
 */

export interface OptimizeOptions {
  /** Called with a line of progress text (only used with verbose output). */
  log?: (line: string) => void;
}

export interface PhaseStats {
  /** Term pairs counted at the start of the phase. */
  pairs: number;
  /** Distinct patterns among them. */
  patterns: number;
  /** Patterns built as shared nodes. */
  shared: number;
  ms: number;
}

export interface OptimizeStats {
  naiveAdders: number;
  adders: number;
  sharedAdders: number;
  treeAdders: number;
  negations: number;
  depth: number;
  phases: PhaseStats[];
  ms: { recode: number; cse: number; trees: number; ranges: number; total: number };
}

export interface OptimizeResult {
  graph: AdderGraph;
  stats: OptimizeStats;
}

/** Slots for the shift in a packed term key `v * SH + shift`. */
const SH = 128;
const SH_BITS = 7;

interface NodeDef {
  op: AdderOp;
  a: number;
  shiftA: number;
  b: number;
  shiftB: number;
  level: number;
}

class GraphBuilder {
  readonly defs: NodeDef[] = [];
  readonly levels: number[] = [];
  private readonly cons = new Map<string, number>();
  constructor(readonly nIn: number) {
    for (let i = 0; i < nIn; i++) this.levels.push(0);
  }

  get nVars(): number {
    return this.nIn + this.defs.length;
  }

  /** The variable for the node, reusing an identical existing one. */
  node(op: AdderOp, a: number, shiftA: number, b: number, shiftB: number): number {
    if (op === 'add' && (b < a || (b === a && shiftB < shiftA))) {
      [a, b] = [b, a];
      [shiftA, shiftB] = [shiftB, shiftA];
    }
    const key = `${op},${a},${shiftA},${b},${shiftB}`;
    const hit = this.cons.get(key);
    if (hit !== undefined) return hit;
    const level = 1 + Math.max(this.levels[a]!, b >= 0 ? this.levels[b]! : 0);
    const v = this.nVars;
    this.defs.push({ op, a, shiftA, b, shiftB, level });
    this.levels.push(level);
    this.cons.set(key, v);
    return v;
  }
}

/** The terms of every output: packed key (v * SH + shift) → sign (+1 / −1). */
type Row = Map<number, number>;

class CseState {
  readonly varRows: number[][] = [];
  maxShift = 0;
  constructor(
    readonly rows: Row[],
    readonly b: GraphBuilder,
  ) {
    for (let v = 0; v < b.nVars; v++) this.varRows.push([]);
    rows.forEach((row, ri) => {
      for (const k of row.keys()) {
        this.noteUse(k >> SH_BITS, ri);
        this.maxShift = Math.max(this.maxShift, k & (SH - 1));
      }
    });
  }

  noteUse(v: number, ri: number): void {
    while (this.varRows.length <= v) this.varRows.push([]);
    const list = this.varRows[v]!;
    if (list.length === 0 || list[list.length - 1] !== ri) list.push(ri);
  }
}

/** Canonical pattern key of two terms: base is the lower shift (then lower variable). */
function pairKey(k1: number, g1: number, k2: number, g2: number, nv: number): number {
  const v1 = k1 >> SH_BITS;
  const s1 = k1 & (SH - 1);
  const v2 = k2 >> SH_BITS;
  const s2 = k2 & (SH - 1);
  const neg = g1 === g2 ? 0 : 1;
  if (s1 < s2 || (s1 === s2 && v1 < v2)) return ((v1 * nv + v2) * SH + (s2 - s1)) * 2 + neg;
  return ((v2 * nv + v1) * SH + (s1 - s2)) * 2 + neg;
}

/**
 * For a pattern `u ± (u << d)`: whether the term at shift s (or s + d) is already taken by an
 * occurrence found earlier in the same row (entries first… of the lists), since x<<1, x<<3,
 * x<<5 holds the pattern d = 2 twice but can use it only once.
 */
function occurrenceUses(occRow: number[], occShift: number[], first: number, s: number, d: number): boolean {
  for (let k = first; k < occRow.length; k++) {
    const t = occShift[k]!;
    if (t === s || t + d === s || t === s + d) return true;
  }
  return false;
}

function runPhase(st: CseState): PhaseStats {
  const t0 = performance.now();
  const limit = st.b.nVars; // only variables that exist now take part in this phase
  const nv = limit;
  let pairs = 0;
  for (const row of st.rows) pairs += (row.size * (row.size - 1)) / 2;
  const table = new PairTable(Math.min(pairs, 1 << 22));
  const keys: number[] = [];
  const signs: number[] = [];
  for (const row of st.rows) {
    keys.length = 0;
    signs.length = 0;
    for (const [k, g] of row) {
      keys.push(k);
      signs.push(g);
    }
    const n = keys.length;
    for (let i = 0; i < n; i++) {
      const ki = keys[i]!;
      const gi = signs[i]!;
      for (let j = i + 1; j < n; j++) table.increment(pairKey(ki, gi, keys[j]!, signs[j]!, nv));
    }
  }

  // Buckets by count; counts only fall during the phase, so a stale entry is re-filed lower.
  let maxCount = 0;
  for (let s = 0; s < table.counts.length; s++) if (table.counts[s]! > maxCount) maxCount = table.counts[s]!;
  const buckets: number[][] = [];
  for (let c = 0; c <= maxCount; c++) buckets.push([]);
  for (let s = 0; s < table.keys.length; s++) {
    const c = table.counts[s]!;
    if (c >= 2) buckets[c]!.push(s);
  }

  const removeTerm = (row: Row, key: number): void => {
    const g = row.get(key)!;
    row.delete(key);
    for (const [k2, g2] of row) {
      if (k2 >> SH_BITS < limit) table.decrement(pairKey(key, g, k2, g2, nv));
    }
  };

  let shared = 0;
  const occRow: number[] = [];
  const occShift: number[] = [];
  const occSign: number[] = [];
  for (let c = maxCount; c >= 2; c--) {
    const bucket = buckets[c]!;
    for (let p = 0; p < bucket.length; p++) {
      const slot = bucket[p]!;
      const cur = table.counts[slot]!;
      if (cur < c) {
        if (cur >= 2) buckets[cur]!.push(slot);
        continue;
      }
      let key = table.keys[slot]!;
      const neg = key % 2;
      key = (key - neg) / 2;
      const d = key % SH;
      key = (key - d) / SH;
      const other = key % nv;
      const base = (key - other) / nv;
      const r = neg ? -1 : 1;

      // Find the occurrences (non-overlapping, in row order then shift order).
      occRow.length = 0;
      occShift.length = 0;
      occSign.length = 0;
      for (const ri of st.varRows[base]!) {
        const row = st.rows[ri]!;
        const first = occRow.length;
        for (let s = 0; s + d <= st.maxShift; s++) {
          const g = row.get(base * SH + s);
          if (g === undefined) continue;
          if (row.get(other * SH + s + d) !== g * r) continue;
          if (base === other && occurrenceUses(occRow, occShift, first, s, d)) continue;
          occRow.push(ri);
          occShift.push(s);
          occSign.push(g);
        }
      }
      table.counts[slot] = 0;
      if (occRow.length < 2) continue;

      const n = st.b.node(neg ? 'sub' : 'add', base, 0, other, d);
      for (let o = 0; o < occRow.length; o++) {
        const ri = occRow[o]!;
        const row = st.rows[ri]!;
        const s = occShift[o]!;
        removeTerm(row, base * SH + s);
        removeTerm(row, other * SH + s + d);
        row.set(n * SH + s, occSign[o]!);
        st.noteUse(n, ri);
      }
      shared++;
    }
  }
  return { pairs, patterns: table.size, shared, ms: performance.now() - t0 };
}

/** A term in a per-output tree. */
interface Term {
  v: number;
  shift: number;
  sign: number;
}

/** Sum the terms of one output, always adding the two shallowest first. Returns the root term. */
function buildTree(terms: Term[], b: GraphBuilder): Term | null {
  if (terms.length === 0) return null;
  const lv = (t: Term): number => b.levels[t.v]!;
  const less = (p: Term, q: Term): boolean =>
    lv(p) !== lv(q) ? lv(p) < lv(q) : p.v !== q.v ? p.v < q.v : p.shift < q.shift;
  // binary min-heap
  const heap: Term[] = [];
  const push = (t: Term): void => {
    heap.push(t);
    let i = heap.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!less(heap[i]!, heap[p]!)) break;
      [heap[i], heap[p]] = [heap[p]!, heap[i]!];
      i = p;
    }
  };
  const pop = (): Term => {
    const top = heap[0]!;
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && less(heap[l]!, heap[m]!)) m = l;
        if (r < heap.length && less(heap[r]!, heap[m]!)) m = r;
        if (m === i) break;
        [heap[i], heap[m]] = [heap[m]!, heap[i]!];
        i = m;
      }
    }
    return top;
  };
  for (const t of terms) push(t);
  while (heap.length > 1) {
    const p = pop();
    const q = pop();
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
    push({ v, shift: s0, sign });
  }
  return heap[0]!;
}

/** Keep only nodes some output depends on, renumbered in order. */
function pruneAndFreeze(b: GraphBuilder, outs: { v: number; shift: number }[], input: InputFormat): AdderGraph {
  const nIn = b.nIn;
  const live = new Uint8Array(b.nVars);
  for (const o of outs) if (o.v >= 0) live[o.v] = 1;
  for (let v = b.nVars - 1; v >= nIn; v--) {
    if (!live[v]) continue;
    const d = b.defs[v - nIn]!;
    live[d.a] = 1;
    if (d.b >= 0) live[d.b] = 1;
  }
  const map = new Int32Array(b.nVars).fill(-1);
  for (let i = 0; i < nIn; i++) map[i] = i;
  const nodes: AdderNode[] = [];
  for (let v = nIn; v < b.nVars; v++) {
    if (!live[v]) continue;
    const d = b.defs[v - nIn]!;
    map[v] = nIn + nodes.length;
    nodes.push({
      op: d.op,
      a: map[d.a]!,
      shiftA: d.shiftA,
      b: d.b >= 0 ? map[d.b]! : -1,
      shiftB: d.shiftB,
      level: d.level,
      lo: 0n,
      hi: 0n,
    });
  }
  const outputs: GraphOutput[] = outs.map((o) => ({ v: o.v < 0 ? -1 : map[o.v]!, shift: o.shift, lo: 0n, hi: 0n }));
  return { nIn, input: { ...input }, nodes, outputs };
}

/**
 * Group rows that are ±2^k multiples of one another. Returns the distinct canonical rows
 * (common power of two removed) and, per output, which canonical row it is (−1 for a zero
 * row), the shift and the sign relative to it.
 */
export function canonicalRows(weights: bigint[][]): { canon: bigint[][]; outMap: { canon: number; shift: number; sign: number }[] } {
  const canon: bigint[][] = [];
  const canonSign: number[] = [];
  const index = new Map<string, number>();
  const outMap = weights.map((wr) => {
    let tz = -1;
    let sign = 0;
    for (const w of wr) {
      if (w === 0n) continue;
      if (sign === 0) sign = w > 0n ? 1 : -1;
      let t = 0;
      let a = w < 0n ? -w : w;
      while ((a & 1n) === 0n) {
        a >>= 1n;
        t++;
      }
      if (tz < 0 || t < tz) tz = t;
    }
    if (sign === 0) return { canon: -1, shift: 0, sign: 1 };
    // The key is sign-normalized; the canonical row keeps the orientation of its first use,
    // so a row without a copy is never negated.
    const key = wr.map((w) => (w >> BigInt(tz)) * BigInt(sign)).join(',');
    let c = index.get(key);
    if (c === undefined) {
      c = canon.length;
      canon.push(wr.map((w) => w >> BigInt(tz)));
      canonSign.push(sign);
      index.set(key, c);
    }
    return { canon: c, shift: tz, sign: sign * canonSign[c]! };
  });
  return { canon, outMap };
}

/** Turn the matrix (weights[o][i]) into a shared adder graph computing W·x. */
export function optimize(weights: bigint[][], input: InputFormat, opts: OptimizeOptions = {}): OptimizeResult {
  const tStart = performance.now();
  const nOut = weights.length;
  const nIn = weights[0]!.length;
  const b = new GraphBuilder(nIn);
  let maxAbs = 0n;
  for (const wr of weights) for (const w of wr) if ((w < 0n ? -w : w) > maxAbs) maxAbs = w < 0n ? -w : w;

  // Rows that are shifted and/or negated copies of another (and zero rows) are built once:
  // each output is ±(canonical row << k), where a canonical row has no common factor of two.
  const { canon, outMap } = canonicalRows(weights);
  const rows: Row[] = canon.map((wr) => {
    const row: Row = new Map();
    wr.forEach((w, i) => {
      for (const dgt of csd(w)) row.set(i * SH + dgt.shift, dgt.sign);
    });
    return row;
  });
  const tRecode = performance.now();

  const st = new CseState(rows, b);
  const phases: PhaseStats[] = [];
  for (;;) {
    const ph = runPhase(st);
    phases.push(ph);
    opts.log?.(
      `  cse phase ${phases.length}: ${ph.pairs} term pairs, ${ph.patterns} patterns, ${ph.shared} shared adders (${ph.ms.toFixed(0)} ms)`,
    );
    if (ph.shared === 0) break;
  }
  const sharedAdders = b.defs.length;
  const tCse = performance.now();

  const roots: (Term | null)[] = rows.map((row) => {
    const terms: Term[] = [];
    for (const [k, g] of row) terms.push({ v: k >> SH_BITS, shift: k & (SH - 1), sign: g });
    return buildTree(terms, b);
  });
  const outs: { v: number; shift: number }[] = [];
  let negations = 0;
  for (let o = 0; o < nOut; o++) {
    const m = outMap[o]!;
    const root = m.canon < 0 ? null : roots[m.canon]!;
    if (root === null) {
      outs.push({ v: -1, shift: 0 });
      continue;
    }
    const shift = root.shift + m.shift;
    if (root.sign * m.sign > 0) outs.push({ v: root.v, shift });
    else {
      const before = b.defs.length;
      outs.push({ v: b.node('neg', root.v, 0, -1, 0), shift });
      if (b.defs.length > before) negations++;
    }
  }
  const tTrees = performance.now();

  const graph = pruneAndFreeze(b, outs, input);
  computeRanges(graph, maxAbs);
  const tEnd = performance.now();

  let depth = 0;
  for (const o of graph.outputs) if (o.v >= nIn) depth = Math.max(depth, graph.nodes[o.v - nIn]!.level);
  return {
    graph,
    stats: {
      naiveAdders: naiveAdderCount(weights),
      adders: graph.nodes.length,
      sharedAdders,
      treeAdders: graph.nodes.length - sharedAdders - negations,
      negations,
      depth,
      phases,
      ms: {
        recode: tRecode - tStart,
        cse: tCse - tRecode,
        trees: tTrees - tCse,
        ranges: tEnd - tTrees,
        total: tEnd - tStart,
      },
    },
  };
}
