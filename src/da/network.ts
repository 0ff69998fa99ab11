import type { Layer, Spec } from '../spec/spec.js';
import { inputCount, layerInputs, layerOutputs } from '../spec/spec.js';
import { optimize } from './cmvm.js';
import type { AttemptReport, OptimizeOptions, OptimizeStats } from './cmvm.js';
import { fitValue, inputRange } from './graph.js';
import type { FitFormat, InputFormat, NetGraphOutput, NetNode, NetworkGraph } from './graph.js';
import { bitsFor } from './ranges.js';

/**
 * A whole network as one graph: each layer's matrix goes through the CMVM optimizer, and the
 * steps between layers become cheap nodes of the same graph.
 *
 * Per output, in the spec's order — accumulate, bias, activation, shift with rounding, fit —
 * built as: addc (bias, plus 2^(k−1) for rounding to nearest), shr (floor shift by k), relu,
 * fit. Rounding to nearest is floor((t + 2^(k−1)) / 2^k), so its half joins the bias; and ReLU
 * commutes with a floor shift (both are monotone and keep the sign: relu(t) >> k = relu(t >> k),
 * and (relu(t) + h) >> k = relu((t + h) >> k) for h = 2^(k−1) < 2^k), so shifting first makes the
 * ReLU narrower. Steps that cannot change a value (ReLU of a non-negative value, a fit that
 * its range already satisfies) are left out; constants fold.
 *
 * Ranges: the inputs and every non-linear node are "bases", each with an interval; every
 * linear node is a linear form over bases plus a constant, whose range is exact when its bases
 * vary independently (always true within the first layer) and a sound bound otherwise. A
 * layer's inputs that are constants join its bias; inputs that are the same variable merge.
 */

/** A value between layers: `v << shift`, or the constant `c` when v = −1. */
interface LayerValue {
  v: number;
  shift: number;
  c: bigint;
}

/** Squares of values up to this many bits are a lookup table; wider ones are shift-and-add. */
export const SQUARE_ROM_MAX_BITS = 8;

export interface LayerStats {
  inputs: number;
  outputs: number;
  /** Inputs that were constant or duplicates, and vanished. */
  prunedInputs: number;
  optimize: OptimizeStats | null;
  /** Nodes after the matrix: bias (addc), shift, ReLU and fit nodes. */
  postNodes: number;
}

export interface NetworkBuild {
  graph: NetworkGraph;
  layers: LayerStats[];
}

/** Levels of logic a square takes: one table lookup, or a tree of partial products. */
export function squareLevels(width: number): number {
  return width <= SQUARE_ROM_MAX_BITS ? 1 : Math.ceil(Math.log2(width)) + 1;
}

class NetworkBuilder {
  readonly nodes: NetNode[] = [];
  /** Linear forms of linear variables (sorted base indices with coefficients, and a constant). */
  private readonly forms = new Map<number, { idx: number[]; val: bigint[]; c: bigint }>();
  private readonly lo: bigint[] = [];
  private readonly hi: bigint[] = [];
  private readonly levels: number[] = [];
  private readonly memo = new Map<string, number>();

  constructor(readonly nIn: number, readonly input: InputFormat) {
    const r = inputRange(input);
    for (let i = 0; i < nIn; i++) {
      this.lo.push(r.lo);
      this.hi.push(r.hi);
      this.levels.push(0);
    }
  }

  range(v: number): { lo: bigint; hi: bigint } {
    return { lo: this.lo[v]!, hi: this.hi[v]! };
  }

  level(v: number): number {
    return this.levels[v]!;
  }

  private form(v: number): { idx: number[]; val: bigint[]; c: bigint } {
    return this.forms.get(v) ?? { idx: [v], val: [1n], c: 0n };
  }

  /** The linear combination ka·(a form) + kb·(b form) + c. */
  private combine(a: number, ka: bigint, b: number, kb: bigint, c: bigint): { idx: number[]; val: bigint[]; c: bigint } {
    const fa = this.form(a);
    const fb = b >= 0 ? this.form(b) : { idx: [], val: [], c: 0n };
    const idx: number[] = [];
    const val: bigint[] = [];
    let p = 0;
    let q = 0;
    while (p < fa.idx.length || q < fb.idx.length) {
      const ia = p < fa.idx.length ? fa.idx[p]! : Infinity;
      const ib = q < fb.idx.length ? fb.idx[q]! : Infinity;
      let i: number;
      let x = 0n;
      if (ia <= ib) {
        i = ia;
        x += ka * fa.val[p++]!;
      } else i = ib;
      if (ib === i) x += kb * fb.val[q++]!;
      if (x !== 0n) {
        idx.push(i);
        val.push(x);
      }
    }
    return { idx, val, c: ka * fa.c + kb * fb.c + c };
  }

  private push(n: NetNode, form: { idx: number[]; val: bigint[]; c: bigint } | null): number {
    const v = this.nIn + this.nodes.length;
    const r = { lo: n.lo, hi: n.hi };
    const level = n.level;
    this.nodes.push(n);
    this.lo.push(r.lo);
    this.hi.push(r.hi);
    this.levels.push(level);
    if (form !== null) this.forms.set(v, form);
    return v;
  }

  private rangeOf(f: { idx: number[]; val: bigint[]; c: bigint }): { lo: bigint; hi: bigint } {
    let lo = f.c;
    let hi = f.c;
    for (let k = 0; k < f.idx.length; k++) {
      const c = f.val[k]!;
      const b = f.idx[k]!;
      if (c > 0n) {
        lo += c * this.lo[b]!;
        hi += c * this.hi[b]!;
      } else {
        lo += c * this.hi[b]!;
        hi += c * this.lo[b]!;
      }
    }
    return { lo, hi };
  }

  /** A linear node: add, sub, neg (b = −1) or addc. */
  linear(op: 'add' | 'sub' | 'neg' | 'addc', a: number, shiftA: number, b: number, shiftB: number, c = 0n): number {
    const ka = (op === 'neg' ? -1n : 1n) << BigInt(shiftA);
    const kb = b < 0 ? 0n : (op === 'sub' ? -1n : 1n) << BigInt(shiftB);
    const f = this.combine(a, ka, b, kb, op === 'addc' ? c : 0n);
    const level = 1 + Math.max(this.levels[a]!, b >= 0 ? this.levels[b]! : 0);
    const { lo, hi } = this.rangeOf(f);
    const at = { level, lo, hi };
    const node: NetNode =
      op === 'add' || op === 'sub'
        ? { op, a, shiftA, b, shiftB, ...at }
        : op === 'neg'
          ? { op, a, shiftA, ...at }
          : { op, a, shiftA, c, ...at };
    return this.push(node, f);
  }

  /** A non-linear node (a base of the range forms), shared when the same one is asked twice. */
  nonLinear(op: 'shr' | 'relu' | 'fit' | 'square', a: number, shiftA: number, fit?: FitFormat): number {
    const key = `${op}:${a}:${shiftA}:${fit ? `${fit.width}${fit.signed ? 's' : 'u'}${fit.overflow}` : ''}`;
    const seen = this.memo.get(key);
    if (seen !== undefined) return seen;
    const lo = this.lo[a]!;
    const hi = this.hi[a]!;
    const la = this.levels[a]!;
    let r: { lo: bigint; hi: bigint };
    let level: number;
    switch (op) {
      case 'shr':
        r = { lo: lo >> BigInt(shiftA), hi: hi >> BigInt(shiftA) };
        level = la;
        break;
      case 'relu':
        r = { lo: lo < 0n ? 0n : lo, hi: hi < 0n ? 0n : hi };
        level = la + 1;
        break;
      case 'fit': {
        const f = fit!;
        const s = BigInt(shiftA);
        if (f.overflow === 'saturate') {
          r = { lo: fitValue(lo << s, f), hi: fitValue(hi << s, f) };
          level = la + 1;
        } else {
          const w = BigInt(f.width);
          r = f.signed ? { lo: -(1n << (w - 1n)), hi: (1n << (w - 1n)) - 1n } : { lo: 0n, hi: (1n << w) - 1n };
          level = la;
        }
        break;
      }
      case 'square': {
        const l2 = lo * lo;
        const h2 = hi * hi;
        r = lo >= 0n ? { lo: l2, hi: h2 } : hi <= 0n ? { lo: h2, hi: l2 } : { lo: 0n, hi: l2 > h2 ? l2 : h2 };
        level = la + squareLevels(bitsFor(lo, hi));
        break;
      }
    }
    const at = { level, lo: r.lo, hi: r.hi };
    const node: NetNode =
      op === 'shr' ? { op, a, shift: shiftA, ...at } : op === 'fit' ? { op, a, shiftA, fit: fit!, ...at } : { op, a, ...at };
    const v = this.push(node, null);
    this.memo.set(key, v);
    return v;
  }

  termRange(t: LayerValue): { lo: bigint; hi: bigint } {
    if (t.v < 0) return { lo: t.c, hi: t.c };
    const s = BigInt(t.shift);
    return { lo: this.lo[t.v]! << s, hi: this.hi[t.v]! << s };
  }
}

const constant = (c: bigint): LayerValue => ({ v: -1, shift: 0, c });

function layerMatrix(
  b: NetworkBuilder,
  layer: Layer,
  inputs: LayerValue[],
  opts: OptimizeOptions,
): { outs: LayerValue[]; stats: OptimizeStats | null; biasAdd: bigint[]; pruned: number } {
  const rows = layerOutputs(layer);
  const colOf = new Map<number, number>();
  const cols: number[] = [];
  const W: bigint[][] = Array.from({ length: rows }, () => []);
  const biasAdd = new Array<bigint>(rows).fill(0n);
  inputs.forEach((t, i) => {
    if (t.v < 0) {
      for (let o = 0; o < rows; o++) biasAdd[o]! += layer.weights[o]![i]! * t.c;
      return;
    }
    let col = colOf.get(t.v);
    if (col === undefined) {
      col = cols.length;
      colOf.set(t.v, col);
      cols.push(t.v);
      for (const row of W) row.push(0n);
    }
    for (let o = 0; o < rows; o++) W[o]![col]! += layer.weights[o]![i]! << BigInt(t.shift);
  });
  // columns that are all zero (inputs no output uses) vanish
  const live = cols.map((_, c) => W.some((row) => row[c] !== 0n));
  const keep = cols.filter((_, c) => live[c]);
  const W2 = W.map((row) => row.filter((_, c) => live[c]));
  const pruned = inputs.length - keep.length;
  if (keep.length === 0) return { outs: W.map(() => constant(0n)), stats: null, biasAdd, pruned };
  // the optimizer's input format: wide enough for every column (it only steers its choices;
  // the network's own ranges are computed here)
  let width = 2;
  let signed = false;
  for (const v of keep) {
    const r = b.range(v);
    if (r.lo < 0n) signed = true;
  }
  for (const v of keep) {
    const r = b.range(v);
    width = Math.max(width, bitsFor(r.lo, r.hi, signed));
  }
  const res = optimize(W2, { width: Math.min(width, 64), signed }, opts);
  const g = res.graph;
  const map: number[] = [...keep];
  for (const n of g.nodes) {
    const a = map[n.a]!;
    map.push(n.op === 'neg' ? b.linear('neg', a, n.shiftA, -1, 0) : b.linear(n.op, a, n.shiftA, map[n.b]!, n.shiftB));
  }
  const outs = g.outputs.map((o): LayerValue => (o.v < 0 ? constant(0n) : { v: map[o.v]!, shift: o.shift, c: 0n }));
  return { outs, stats: res.stats, biasAdd, pruned };
}

/** After the matrix: bias (with the rounding half), shift, ReLU and fit, per output. */
function postOps(b: NetworkBuilder, layer: Layer, t0: LayerValue, bias: bigint): LayerValue {
  let t = t0;
  // a step whose result can take one value only is that constant
  const step = (v: number, shift = 0): LayerValue => {
    const r = b.range(v);
    return r.lo === r.hi ? constant(r.lo << BigInt(shift)) : { v, shift, c: 0n };
  };
  const k = layer.shift;
  const add = bias + (layer.rounding === 'nearest' && k >= 1 ? 1n << BigInt(k - 1) : 0n);
  if (add !== 0n) t = t.v < 0 ? constant(t.c + add) : { v: b.linear('addc', t.v, t.shift, -1, 0, add), shift: 0, c: 0n };
  if (k > 0) {
    if (t.v < 0) t = constant(t.c >> BigInt(k));
    else if (t.shift >= k) t = { ...t, shift: t.shift - k };
    else t = step(b.nonLinear('shr', t.v, k - t.shift));
  }
  if (layer.activation === 'relu') {
    if (t.v < 0) t = constant(t.c < 0n ? 0n : t.c);
    else {
      const r = b.termRange(t);
      if (r.hi <= 0n) t = constant(0n);
      else if (r.lo < 0n) t = step(b.nonLinear('relu', t.v, 0), t.shift);
    }
  }
  const f = layer.output;
  if (f !== null) {
    const fmt: FitFormat = { width: f.width, signed: f.signed, overflow: f.overflow };
    if (t.v < 0) t = constant(fitValue(t.c, fmt));
    else {
      const r = b.termRange(t);
      if (fitValue(r.lo, fmt) !== r.lo || fitValue(r.hi, fmt) !== r.hi) t = step(b.nonLinear('fit', t.v, t.shift, fmt));
    }
  }
  return t;
}

/**
 * The whole design's figures from its layers'. Adders and adder bits are those of the netlist
 * (every add, sub, neg and addc node used), so they include the bias, rounding and score
 * adders; those count the same with and without sharing. A single layer whose outputs are its
 * matrix's (no steps after it, no score) is that matrix: its figures are the optimizer's, depth
 * bound included; a longer network has no single bound (each layer has its own).
 */
export function networkStats(layers: readonly LayerStats[], score: boolean, design: { adders: number; adderBits: number; depth: number; ms: number }): OptimizeStats {
  const only = layers.length === 1 ? layers[0]! : null;
  if (only !== null && only.optimize !== null && only.postNodes === 0 && !score) return only.optimize;
  const per = layers.map((l) => l.optimize);
  const sum = (f: (s: OptimizeStats) => number): number => per.reduce((t, s) => t + (s ? f(s) : 0), 0);
  return {
    naiveAdders: sum((s) => s.naiveAdders) + design.adders - sum((s) => s.adders),
    adders: design.adders,
    adderBits: design.adderBits,
    subtractors: sum((s) => s.subtractors),
    subtractorsBeforeSigns: sum((s) => s.subtractorsBeforeSigns),
    depth: design.depth,
    depthBound: Infinity,
    minDepth: sum((s) => s.minDepth),
    negations: sum((s) => s.negations),
    attempt: 'per layer',
    attempts: per.flatMap((s, i) => (s ? s.attempts.map((a) => ({ ...a, name: `layer ${i}: ${a.name}` })) : [])),
    phases: per.flatMap((s) => (s ? s.phases : [])),
    ms: { recode: sum((s) => s.ms.recode), search: sum((s) => s.ms.search), total: design.ms },
  };
}

/** The network graph of a spec: each layer's matrix optimized, the steps between layers, and the score. */
export function buildNetworkGraph(spec: Spec, opts: OptimizeOptions = {}): NetworkBuild {
  const nIn = inputCount(spec);
  const b = new NetworkBuilder(nIn, spec.input);
  let terms: LayerValue[] = Array.from({ length: nIn }, (_, i) => ({ v: i, shift: 0, c: 0n }));
  const layers: LayerStats[] = [];
  spec.layers.forEach((layer, li) => {
    opts.log?.(`layer ${li}: ${layerOutputs(layer)} outputs × ${layerInputs(layer)} inputs`);
    const onAttempt = opts.onAttempt;
    const lopts = onAttempt ? { ...opts, onAttempt: (a: AttemptReport) => onAttempt({ ...a, layer: li, layers: spec.layers.length }) } : opts;
    const m = layerMatrix(b, layer, terms, lopts);
    const mid = b.nodes.length;
    terms = m.outs.map((t, o) => postOps(b, layer, t, (layer.bias?.[o] ?? 0n) + m.biasAdd[o]!));
    layers.push({ inputs: layerInputs(layer), outputs: layerOutputs(layer), prunedInputs: m.pruned, optimize: m.stats, postNodes: b.nodes.length - mid });
  });
  const toOutput = (t: LayerValue): NetGraphOutput => {
    const r = b.termRange(t);
    return t.v < 0 ? { v: -1, shift: 0, constant: t.c, lo: t.c, hi: t.c } : { v: t.v, shift: t.shift, lo: r.lo, hi: r.hi };
  };
  const outputs = terms.map(toOutput);
  const score = spec.score === null ? null : toOutput(sumOfSquares(b, terms));
  const last = spec.layers[spec.layers.length - 1]!.output;
  const graph: NetworkGraph = {
    nIn,
    input: spec.input,
    nodes: b.nodes,
    outputs,
    score,
    outputFormat: last ? { width: last.width, signed: last.signed } : null,
  };
  return { graph, layers };
}

/** Σ v² over the values: a square node each (constants fold), summed shallowest first. */
function sumOfSquares(b: NetworkBuilder, terms: readonly LayerValue[]): LayerValue {
  let constPart = 0n;
  const parts: { v: number; shift: number }[] = [];
  for (const t of terms) {
    if (t.v < 0) {
      constPart += t.c * t.c;
      continue;
    }
    parts.push({ v: b.nonLinear('square', t.v, 0), shift: 2 * t.shift });
  }
  // sum: always add the two shallowest first
  while (parts.length > 1) {
    parts.sort((p, q) => b.level(p.v) - b.level(q.v) || p.v - q.v);
    const p = parts.shift()!;
    const q = parts.shift()!;
    const s = Math.min(p.shift, q.shift);
    parts.push({ v: b.linear('add', p.v, p.shift - s, q.v, q.shift - s), shift: s });
  }
  let t: LayerValue = parts.length === 0 ? constant(constPart) : { v: parts[0]!.v, shift: parts[0]!.shift, c: 0n };
  if (constPart !== 0n && t.v >= 0) t = { v: b.linear('addc', t.v, t.shift, -1, 0, constPart), shift: 0, c: 0n };
  return t;
}
