import { freezeGraph, GraphBuilder } from './builder.js';
import { csd, csdWeight, naiveAdderCount } from './csd.js';
import { CseEngine, Row, SH, SH_BITS } from './cse.js';
import type { CostModel, CseStrategy, PhaseStats, Selection, TieBreak } from './cse.js';
import { decomposeRows, spanningTree } from './decompose.js';
import { solveMcm } from './mcm.js';
import type { AdderGraph, InputFormat } from './graph.js';
import { adderDepth, inputRange } from './graph.js';
import { bitsFor, computeRanges } from './ranges.js';
import { buildTree } from './trees.js';
import { optimizeSigns } from './signs.js';
import type { Term } from './trees.js';

/**
 * Constant matrix-vector multiplication (CMVM) optimizer: the matrix → a shared adder graph.
 *
 * 1. Rows that are ±2^k multiples of one another, and zero rows, are recognised and built once.
 * 2. Every weight is recoded in CSD, so each output is a sum of terms ±(x_i << s).
 * 3. Common two-term subexpressions are shared across all outputs (see cse.ts), within a
 *    depth bound when one is set.
 * 4. Each output sums its remaining terms, shallowest first (see trees.ts).
 * 5. Identical nodes are built once, unused ones dropped, and exact ranges filled in.
 * Several strategies can be tried (`effort`); the graph with the lowest cost is kept.
 */

export interface OptimizeOptions {
  /**
   * Extra adder levels allowed above the minimum depth: the depth of no-sharing balanced
   * trees, max over outputs of ceil(log2(non-zero CSD digits)). −1: unbounded. Default 2.
   */
  depthSlack?: number;
  /** What to minimise: the number of adders (default) or the sum of adder result widths. */
  cost?: CostModel;
  /** Number of attempts (strategies and shuffled tie-breaks); the best is kept. Default by size. */
  effort?: number;
  /** Called with progress lines (the CLI's --verbose). */
  log?: (line: string) => void;
  /** Exactly these attempts instead of the defaults for `effort` (for experiments). */
  attempts?: Attempt[];
  /** Called as each attempt ends, in order (progress for long searches, e.g. `--effort`). */
  onAttempt?: (a: AttemptReport) => void;
}

/** One finished attempt of the search, as `onAttempt` reports it. */
export interface AttemptReport {
  /** 1 … total: the attempt's place in the search (the MCM search, when it runs, is 1). */
  index: number;
  /**
   * Attempts the search makes. One more is made, reported as total + 1 of total + 1, only when
   * every attempt exceeded the depth bound.
   */
  total: number;
  name: string;
  /** Adders of the attempt's graph (0 when skipped). */
  adders: number;
  /** Wall time of the attempt in milliseconds. */
  ms: number;
  /**
   * Nothing was built: the attempt would build the same graph as an earlier one, or (MCM) the
   * constants are beyond that method or its depth bound.
   */
  skipped: boolean;
  /** In a network: the layer whose matrix is searched (0-based), and the number of layers. */
  layer?: number;
  layers?: number;
}

export interface OptimizeStats {
  naiveAdders: number;
  adders: number;
  /** Σ over adders of their result width in bits. */
  adderBits: number;
  depth: number;
  /** The depth bound that was applied (Infinity when unbounded). */
  depthBound: number;
  /** Depth of no-sharing balanced trees (the dc = 0 bound). */
  minDepth: number;
  negations: number;
  /** Subtractors and negations in the result, after sign choice (see signs.ts). */
  subtractors: number;
  /** The same count before sign choice. */
  subtractorsBeforeSigns: number;
  /** The attempt that won, e.g. "phased" or "eager, seed 3". */
  attempt: string;
  attempts: { name: string; adders: number; adderBits: number; depth: number; ms: number }[];
  phases: PhaseStats[];
  ms: { recode: number; search: number; total: number };
}

export interface OptimizeResult {
  graph: AdderGraph;
  stats: OptimizeStats;
}

export const DEFAULT_DEPTH_SLACK = 2;
/** Above this many CSD digits in all, the search starts with its phased (cheaper) form. */
export const HUGE_DIGITS = 60000;

export function totalDigits(weights: bigint[][]): number {
  let d = 0;
  for (const r of weights) for (const w of r) d += csdWeight(w);
  return d;
}

/**
 * Default number of attempts: many for small matrices, fewer as they grow (deterministic: by
 * the number of CSD digits, never by time).
 */
export function defaultEffort(weights: bigint[][]): number {
  const d = totalDigits(weights);
  if (d <= 4000) return 16;
  if (d <= 16000) return 4;
  if (d <= 60000) return 3;
  return 1;
}

/**
 * Group rows that are ±2^k multiples of one another. Returns the distinct canonical rows
 * (common power of two removed) and, per output, which canonical row it is (−1 for a zero
 * row), the shift and the sign relative to it.
 */
export function canonicalRows(
  weights: bigint[][],
  bound = Infinity,
): { canon: bigint[][]; outMap: { canon: number; shift: number; sign: number }[] } {
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
    let key = wr.map((w) => (w >> BigInt(tz)) * BigInt(sign)).join(',');
    let c = index.get(key);
    // Negating a copy takes one more level; where the bound has no level to spare, the negated
    // row is built on its own (its subexpressions are still shared, up to sign).
    if (c !== undefined && sign !== canonSign[c] && bound !== Infinity && rowMinimumDepth(canon[c]!) >= bound) {
      key = `-${key}`;
      c = index.get(key);
    }
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

/**
 * Minimum adder depth of one row without sharing: ceil(log2(non-zero CSD digits)), one more
 * term's worth when every digit is negative (the sum must then be negated once: negating one
 * input first is the cheapest way, and it adds one term at level 1).
 */
export function rowMinimumDepth(row: bigint[]): number {
  let digits = 0;
  let positive = false;
  for (const w of row) {
    for (const d of csd(w)) {
      digits++;
      if (d.sign > 0) positive = true;
    }
  }
  if (digits === 0) return 0;
  const n = positive ? digits : digits + 1;
  return n <= 1 ? 0 : Math.ceil(Math.log2(n));
}

/** The depth of no-sharing balanced trees: max over outputs of rowMinimumDepth (the dc = 0 bound). */
export function minimumDepth(weights: bigint[][]): number {
  let d = 0;
  for (const row of weights) d = Math.max(d, rowMinimumDepth(row));
  return d;
}

/** One way of running the search; `attemptsFor` lists the defaults. */
export interface Attempt {
  name: string;
  strategy: CseStrategy;
  selection: Selection;
  ties: TieBreak;
  /** Edge cost of the row and column decompositions (0: not used). */
  rows: number;
  cols: number;
  endgame: boolean;
  seed: number;
}

/**
 * The attempts tried for a given effort, most useful first. Matrices with more than
 * HUGE_DIGITS CSD digits start with the phased search: eager sharing would need several times
 * the time and memory there (its pair table holds every pattern with a new node).
 */
export function attemptsFor(effort: number, digits = 0): Attempt[] {
  const list: Attempt[] = [];
  const add = (strategy: CseStrategy, selection: Selection, ties: TieBreak, rows: number, cols: number, seed = 0, endgame = false): void => {
    const parts = [`${strategy}${selection === 'weighted' ? ' weighted' : ''}`, `${ties} ties`];
    if (endgame) parts.push('endgame');
    if (rows) parts.push(`row differences (edge ${rows})`);
    if (cols) parts.push(`column differences (edge ${cols})`);
    if (seed) parts.push(`shuffle ${seed}`);
    list.push({ name: parts.join(', '), strategy, selection, ties, rows, cols, endgame, seed });
  };
  if (digits > HUGE_DIGITS) {
    add('phased', 'weighted', 'deep', 2, 0);
    add('phased', 'count', 'shallow', 0, 0);
  }
  add('eager', 'weighted', 'deep', 2, 0, 0, true);
  add('eager', 'weighted', 'deep', 3, 0, 0, true);
  add('eager', 'weighted', 'deep', 0, 0, 0, true);
  add('eager', 'weighted', 'deep', 1, 0, 0, true);
  add('eager', 'count', 'shallow', 0, 0, 0, true);
  add('eager', 'weighted', 'deep', 2, 2, 0, true);
  add('eager', 'weighted', 'deep', 2, 0);
  add('phased', 'count', 'shallow', 0, 0);
  for (let k = 1; list.length < effort; k++) {
    add('eager', 'weighted', 'deep', 2, 0, k, true);
    add('eager', 'weighted', 'deep', 3, 0, k, true);
    add('eager', 'weighted', 'deep', 0, 0, k, true);
    add('eager', 'weighted', 'deep', 1, 0, k, true);
  }
  return list.slice(0, Math.max(1, effort));
}

interface Built {
  /** What the attempt effectively did (two attempts with the same signature build the same graph). */
  signature: string;
  b: GraphBuilder;
  outs: { v: number; shift: number }[];
  phases: PhaseStats[];
  negations: number;
}

function buildWithCse(
  canon: bigint[][],
  outMap: { canon: number; shift: number; sign: number }[],
  nIn: number,
  input: InputFormat,
  bound: number,
  cost: CostModel,
  attempt: Attempt,
  log?: (line: string) => void,
  seen?: Set<string>,
): Built | null {
  const b = new GraphBuilder(nIn);
  // A canonical row that some output uses negated keeps a level free for the negation
  // (canonicalRows only allows that where the row's minimum depth leaves one).
  const negatedUse = new Uint8Array(canon.length);
  for (const m of outMap) if (m.canon >= 0 && m.sign < 0) negatedUse[m.canon] = 1;
  const rowBound = canon.map((_, c) => (bound === Infinity ? Infinity : bound - negatedUse[c]!));

  // shifted copies are looked for while the quadratic search stays cheap
  const shifts = canon.length * canon.length * nIn <= 1 << 22 ? 3 : 0;
  const dec = attempt.rows > 0 && canon.length > 1 ? decomposeRows(canon, bound === Infinity ? Infinity : Math.min(...rowBound), shifts, attempt.rows) : null;
  if (dec) log?.(`    row differences: ${dec.digitsBefore} → ${dec.digitsAfter} CSD digits, ${dec.parent.filter((p) => p >= 0).length} rows from another`);
  let mat = dec ? dec.delta : canon;
  const bounds = dec ? dec.deltaBound : rowBound;

  const r = inputRange(input);
  const magnitudes: number[] = new Array<number>(nIn).fill(Number(r.lo < 0n ? -r.lo : r.hi));
  /** The variable each column multiplies: x_i, or the accumulated z_i of the column decomposition. */
  const colVar = Array.from({ length: nIn }, (_, i) => i);
  if (attempt.cols > 0 && nIn > 1 && mat.length > 0) {
    const cols = mat[0]!.map((_, i) => mat.map((row) => row[i]!));
    const t = spanningTree(cols, shifts, attempt.cols, () => true);
    if (t) {
      // z_p = x_p + Σ over children c of sign_c·(z_c << shift_c), built children first.
      const trial = new GraphBuilder(nIn);
      const z = Array.from({ length: nIn }, (_, i) => i);
      const zmag = magnitudes.slice();
      const children: number[][] = cols.map(() => []);
      t.order.forEach((a) => {
        if (t.parent[a]! >= 0) children[t.parent[a]!]!.push(a);
      });
      for (let k = t.order.length - 1; k >= 0; k--) {
        const a = t.order[k]!;
        if (children[a]!.length === 0) continue;
        const terms: Term[] = [{ v: a, shift: 0, sign: 1 }];
        for (const c of children[a]!) {
          terms.push({ v: z[c]!, shift: t.shift[c]!, sign: t.sign[c]! });
          zmag[a]! += zmag[c]! * 2 ** t.shift[c]!;
        }
        z[a] = buildTree(terms, trial)!.v;
      }
      const dmat = mat.map((row, ri) => row.map((_, i) => t.delta[i]![ri]!));
      // Keep it only if every row can still be summed within its budget.
      const ok = dmat.every((row, ri) => {
        if (bounds[ri] === Infinity) return true;
        let k = 0;
        row.forEach((w, i) => {
          k += csd(w).length * 2 ** trial.levels[z[i]!]!;
        });
        return k <= 2 ** bounds[ri]!;
      });
      if (ok) {
        log?.(`    column differences: ${t.digitsBefore} → ${t.digitsAfter} CSD digits, ${t.parent.filter((p) => p >= 0).length} columns from another`);
        // replay the z construction in the real builder
        for (let k = t.order.length - 1; k >= 0; k--) {
          const a = t.order[k]!;
          if (children[a]!.length === 0) continue;
          const terms: Term[] = [{ v: a, shift: 0, sign: 1 }];
          for (const c of children[a]!) terms.push({ v: colVar[c]!, shift: t.shift[c]!, sign: t.sign[c]! });
          colVar[a] = buildTree(terms, b)!.v;
          magnitudes[colVar[a]!] = zmag[a]!;
        }
        mat = dmat;
      }
    }
  }

  const signature = [
    attempt.strategy,
    attempt.selection,
    attempt.ties,
    attempt.endgame,
    attempt.seed,
    dec ? `${dec.parent.join(',')}/${dec.shift.join(',')}/${dec.sign.join(',')}` : '-',
    colVar.join(','),
  ].join('|');
  if (seen?.has(signature)) return null;
  seen?.add(signature);

  const rows: Row[] = mat.map((wr) => {
    const row = new Row();
    wr.forEach((w, i) => {
      for (const dgt of csd(w)) row.set(colVar[i]! * SH + dgt.shift, dgt.sign);
    });
    return row;
  });
  const engine = new CseEngine(rows, b, {
    strategy: attempt.strategy,
    selection: attempt.selection,
    ties: attempt.ties,
    endgame: attempt.endgame,
    cost,
    rowBounds: bounds,
    magnitudes,
    seed: attempt.seed,
    ...(log ? { log } : {}),
  });
  const phases = engine.run();

  // Each row sums its remaining terms; with the decomposition, a row's parent output joins its
  // sum as one more term (parents are built first).
  const roots: (Term | null)[] = new Array<Term | null>(rows.length).fill(null);
  for (const a of dec ? dec.order : rows.map((_, k) => k)) {
    const terms: Term[] = [];
    const row = rows[a]!;
    for (let j = 0; j < row.size; j++) terms.push({ v: row.keys[j]! >> SH_BITS, shift: row.keys[j]! & (SH - 1), sign: row.signs[j]! });
    const p = dec ? dec.parent[a]! : -1;
    if (p >= 0) {
      const pt = roots[p]!;
      terms.push({ v: pt.v, shift: pt.shift + dec!.shift[a]!, sign: pt.sign * dec!.sign[a]! });
    }
    roots[a] = buildTree(terms, b);
  }
  const outs: { v: number; shift: number }[] = [];
  let negations = 0;
  for (const m of outMap) {
    const root = m.canon < 0 ? null : roots[m.canon]!;
    if (root === null) {
      outs.push({ v: -1, shift: 0 });
      continue;
    }
    const shift = root.shift + m.shift;
    if (m.sign * root.sign > 0) outs.push({ v: root.v, shift });
    else {
      if (b.wouldBuild('neg', root.v, 0, -1, 0)) negations++;
      outs.push({ v: b.negate(root.v), shift });
    }
  }
  return { signature, b, outs, phases, negations };
}

/** Turn the matrix (weights[o][i]) into a shared adder graph computing W·x. */
export function optimize(weights: bigint[][], input: InputFormat, opts: OptimizeOptions = {}): OptimizeResult {
  const tStart = performance.now();
  const nIn = weights[0]!.length;
  const dc = opts.depthSlack ?? DEFAULT_DEPTH_SLACK;
  const cost = opts.cost ?? 'adders';
  const minDepth = minimumDepth(weights);
  const bound = dc < 0 ? Infinity : minDepth + dc;
  let maxAbs = 0n;
  for (const wr of weights) for (const w of wr) if ((w < 0n ? -w : w) > maxAbs) maxAbs = w < 0n ? -w : w;
  const { canon, outMap } = canonicalRows(weights, bound);
  const tRecode = performance.now();

  const list = opts.attempts ?? attemptsFor(opts.effort ?? defaultEffort(weights), totalDigits(weights));
  let total = list.length + (nIn === 1 ? 1 : 0);
  let index = 0;
  const report = (name: string, adders: number, t0: number, skipped = false): void => {
    opts.onAttempt?.({ index: ++index, total, name, adders, ms: performance.now() - t0, skipped });
  };
  let best = null as { graph: AdderGraph; built: Built; adders: number; bits: number; depth: number; name: string; subs: [number, number] } | null;
  const attempts: OptimizeStats['attempts'] = [];
  /** The attempt's graph with exact ranges and its signs chosen (signs.ts). */
  const finish = (built: Built): { graph: AdderGraph; subs: [number, number] } => {
    const frozen = freezeGraph(built.b, built.outs, input);
    computeRanges(frozen, maxAbs);
    const signs = optimizeSigns(frozen);
    return { graph: signs.graph, subs: [signs.subtractorsBefore, signs.subtractorsAfter] };
  };
  /** Keep the attempt's graph if it is the best so far; returns its adders. */
  const consider = (name: string, built: Built, t0: number): number => {
    const { graph, subs } = finish(built);
    const bits = adderBitsOf(graph);
    const depth = adderDepth(graph);
    const ms = performance.now() - t0;
    attempts.push({ name, adders: graph.nodes.length, adderBits: bits, depth, ms });
    opts.log?.(`  attempt "${name}": ${graph.nodes.length} adders, ${bits} adder bits, depth ${depth} (${ms.toFixed(0)} ms)`);
    if (depth > bound) return graph.nodes.length; // never keep a graph beyond the bound
    const better =
      best === null ||
      (cost === 'adders'
        ? graph.nodes.length < best.adders || (graph.nodes.length === best.adders && bits < best.bits)
        : bits < best.bits || (bits === best.bits && graph.nodes.length < best.adders));
    if (better) best = { graph, built, adders: graph.nodes.length, bits, depth, name, subs };
    return graph.nodes.length;
  };
  if (nIn === 1) {
    // One input, many constants: the MCM search, one attempt per depth allowance it may use.
    const t0 = performance.now();
    const b = new GraphBuilder(1);
    const m = solveMcm(weights.map((r) => r[0]!), bound, b);
    report('MCM', m ? consider('MCM', { signature: 'MCM', b, outs: m.outs, phases: [], negations: 0 }, t0) : 0, t0, m === null);
  }
  const seen = new Set<string>();
  for (const at of list) {
    const t0 = performance.now();
    opts.log?.(`  attempt "${at.name}"`);
    const built = buildWithCse(canon, outMap, nIn, input, bound, cost, at, opts.log, seen);
    if (built === null) opts.log?.('    (the same as an earlier attempt: skipped)');
    report(at.name, built === null ? 0 : consider(at.name, built, t0), t0, built === null);
  }
  if (best === null) {
    // Only when every attempt exceeded the bound (an output that must be negated at full depth):
    // keep the shallowest plain attempt.
    const t0 = performance.now();
    const at = attemptsFor(1)[0]!;
    const built = buildWithCse(canon, outMap, nIn, input, bound, cost, { ...at, rows: 0, cols: 0 }, opts.log)!;
    const { graph, subs } = finish(built);
    best = { graph, built, adders: graph.nodes.length, bits: adderBitsOf(graph), depth: adderDepth(graph), name: at.name, subs };
    attempts.push({ name: at.name, adders: best.adders, adderBits: best.bits, depth: best.depth, ms: performance.now() - t0 });
    total++;
    report(at.name, best.adders, t0);
  }
  const tSearch = performance.now();
  const b = best;
  return {
    graph: b.graph,
    stats: {
      naiveAdders: naiveAdderCount(weights),
      adders: b.adders,
      adderBits: b.bits,
      subtractors: b.subs[1],
      subtractorsBeforeSigns: b.subs[0],
      depth: b.depth,
      depthBound: bound,
      minDepth,
      negations: b.built.negations,
      attempt: b.name,
      attempts,
      phases: b.built.phases,
      ms: { recode: tRecode - tStart, search: tSearch - tRecode, total: performance.now() - tStart },
    },
  };
}

/** Σ over adders of the bits of their result (exact ranges must be filled in). */
export function adderBitsOf(g: AdderGraph): number {
  let s = 0;
  for (const n of g.nodes) s += bitsFor(n.lo, n.hi);
  return s;
}
