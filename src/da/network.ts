import type { AffineLayer, BatchNormLayer, ConvLayer, DenseLayer, Layer, LayerKind, PoolLayer, PostOps, Spec, TableLayer } from '../spec/spec.js';
import { commonOutputFormat, inputCount, isAffine, keepsPrecision, layerInputs, layerOutputs, outputOf, postOpsOf, shiftOf, spatial } from '../spec/spec.js';
import { optimize } from './cmvm.js';
import type { AttemptReport, OptimizeOptions, OptimizeResult, OptimizeStats } from './cmvm.js';
import { naiveAdderCount } from './csd.js';
import { fitValue, foldKernel, kernelAdders } from './graph.js';
import type { AdderGraph, FitFormat, NetGraphOutput, NetworkGraph } from './graph.js';
import { constant, NetworkBuilder } from './net-builder.js';
import type { Value } from './net-builder.js';
import { bitsFor } from './ranges.js';
import { adderCellsAtLeast, AUTO_MARGIN, cellsSince, DEFAULT_ARITH, DEFAULT_LUT_INPUTS, tableForm } from './lut-da.js';
import type { Arith } from './lut-da.js';

/**
 * A whole network as one graph: each layer's matrix goes through the CMVM optimizer, and the
 * steps between layers become cheap nodes of the same graph (comparators, multiplexers,
 * tables, shifts, fits).
 *
 * Values between layers are affine in one variable, `(v << shift) + c` (net-builder.ts): the
 * offsets of constant and bipolar inputs are carried to the next bias for free instead of being
 * built, and a layer's inputs that are constants or the same variable merge.
 *
 * Per layer kind:
 *   dense      the matrix optimized once over the layer's distinct variable inputs;
 *   conv       the kernel matrix (cout × taps·cin) optimized once and its adder graph applied
 *              at every output position over that position's patch, padded taps being constant
 *              zeros that fold; when the whole layer is small, also as one Toeplitz-shaped matrix,
 *              keeping whichever needs fewer adders (LayerStats.strategy says which);
 *   batchnorm  folded into the dense or conv layer before it when exact (that layer linear,
 *              unshifted, at full precision: W' = scale·W, bias' = scale·bias + offset), else a
 *              shift-add constant multiplication per element;
 *   maxpool    a balanced tree of comparator + multiplexer pairs over the window's positions
 *              inside the input; avgpool an adder tree (then its shift);
 *   flatten    nothing; table a lookup table per element; argmax a balanced tree of
 *              (value, index) pairs in which the lower index wins ties.
 *
 * Post-ops per element, in the spec's order — + bias, activation, shift with rounding, fit:
 * the bias and the rounding half join the value's offset; ReLU commutes with the floor shift
 * (relu(t) >> k = relu(t >> k), and with the half added first too), so it is applied after the
 * shift, where the value is narrower; leaky ReLU is a comparator choosing between u and
 * ⌊u·m / 2^k⌋ (a shift-add constant product); hard_tanh two comparators and multiplexers; sign
 * one comparator whose bit b stands for 2b − 1. Steps that cannot change a value are left out.
 */

/** Whole-layer (Toeplitz) optimization of a convolution is tried up to this many matrix entries. */
export const TOEPLITZ_MAX_ENTRIES = 1 << 16;

/** One form a layer was built in while its form was chosen: its adders, and for a dense layer the cells it was weighed by (lut-da.ts). */
export interface TriedForm {
  strategy: string;
  adders: number;
  cells?: number;
  /** adders and cells are lower bounds: the form could not win, and was not searched. */
  atLeast?: boolean;
}

/** A form tried, in words: `table: 12 tables over 4 groups 40 adders (610 cells)`, `≥` before bounds. */
export function triedText(t: TriedForm): string {
  const at = t.atLeast === true ? '≥' : '';
  return `${t.strategy} ${at}${t.adders} adders${t.cells !== undefined ? ` (${at}${t.cells} cells${t.atLeast === true ? ', not searched' : ''})` : ''}`;
}

/** How one layer was built. */
export interface LayerStats {
  kind: LayerKind;
  inputs: number;
  outputs: number;
  /** Inputs that were constant, repeated or unused, and vanished. */
  prunedInputs: number;
  /**
   * The optimizer's figures for the layer's matrix, or null (no matrix). For a convolution
   * built per position, the kernel's search figures with `adders` and `naiveAdders` those of
   * the whole layer (every position).
   */
  optimize: OptimizeStats | null;
  /** Nodes after the matrix: bias, activation, shift and fit nodes. */
  postNodes: number;
  /**
   * How the layer was built: conv "per-position" or "toeplitz"; batchnorm "folded" (into the
   * layer before) or "shift-add"; dense "table" (lookup tables compute part of it) or
   * "shift-add" (tables were weighed and not kept); null otherwise.
   */
  strategy: string | null;
  /** For a convolution, and a dense layer whose tables were weighed: the adders of each form tried (in the order tried), and for a dense layer the cells it was chosen by. */
  tried: TriedForm[];
}

/** How convolutions are built: the cheaper of the two forms (default), or one of them. */
export type ConvStrategy = 'auto' | 'per-position' | 'toeplitz';
export const CONV_STRATEGIES: readonly ConvStrategy[] = ['auto', 'per-position', 'toeplitz'];

/** The optimizer's options, and how convolutions are built. */
export interface NetworkOptions extends OptimizeOptions {
  /**
   * auto: per position, and as one Toeplitz matrix when the layer has at most
   * TOEPLITZ_MAX_ENTRIES matrix entries, the one with fewer adders kept; per-position: only
   * that; toeplitz: the Toeplitz form when the layer is within the limit (else per position).
   */
  conv?: ConvStrategy;
  /** A convolution per position as instances of one kernel (default true), or its adder graph applied at every position. */
  kernelModules?: boolean;
  /** Dense layers over narrow inputs: lookup tables (LUT-based distributed arithmetic), shift-add only, or the cheaper (default auto; lut-da.ts). */
  arith?: Arith;
  /** The LUT's inputs: the most address bits of a table (default 4). */
  lutInputs?: number;
}

export interface NetworkBuild {
  graph: NetworkGraph;
  layers: LayerStats[];
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
  if (only !== null && only.kind === 'dense' && only.strategy !== 'table' && only.optimize !== null && only.postNodes === 0 && !score) return only.optimize;
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

/** What building one layer gives: its outputs, and its figures but for the counts of nodes. */
interface Built {
  outs: Value[];
  optimize: OptimizeStats | null;
  prunedInputs: number;
  strategy: string | null;
  tried: TriedForm[];
  /** Index in `b.nodes` where the steps after the matrix begin. */
  postFrom: number;
}

/** The network graph of a spec: each layer built, then the outputs and the score. */
export function buildNetworkGraph(spec: Spec, opts: NetworkOptions = {}): NetworkBuild {
  const nIn = inputCount(spec);
  const b = new NetworkBuilder(nIn, { width: spec.input.width, signed: spec.input.signed });
  // a bipolar input bit x stands for 2x − 1
  let vals: Value[] = Array.from({ length: nIn }, (_, i): Value => (spec.input.bipolar ? { v: i, shift: 1, c: -1n } : { v: i, shift: 0, c: 0n }));
  const layers: LayerStats[] = [];
  const plan = foldBatchNorms(spec.layers);
  spec.layers.forEach((layer, li) => {
    const step = plan[li]!;
    if (step === null) {
      // folded into the layer before: it has no hardware of its own
      layers.push({ kind: layer.kind, inputs: layerInputs(layer), outputs: layerOutputs(layer), prunedInputs: 0, optimize: null, postNodes: 0, strategy: 'folded', tried: [] });
      return;
    }
    opts.log?.(`layer ${li} (${layer.kind}): ${layer.inShape.join('×')} → ${step.outShape.join('×')}`);
    const onAttempt = opts.onAttempt;
    const lopts = onAttempt ? { ...opts, onAttempt: (a: AttemptReport) => onAttempt({ ...a, layer: li, layers: spec.layers.length }) } : opts;
    const start = b.mark();
    const built = buildLayer(b, step, vals, lopts);
    vals = built.outs;
    if (built.tried.length > 0) opts.log?.(`layer ${li}: ${built.tried.map(triedText).join(', ')}: kept ${built.strategy}`);
    if (plan[li + 1] === null) opts.log?.(`layer ${li + 1} (batchnorm): folded into layer ${li}`);
    layers.push({
      kind: layer.kind,
      inputs: layerInputs(layer),
      outputs: layerOutputs(layer),
      prunedInputs: built.prunedInputs,
      optimize: built.optimize,
      postNodes: b.nodes.length - Math.max(built.postFrom, start),
      strategy: built.strategy,
      tried: built.tried,
    });
  });
  const toOutput = (t0: Value): NetGraphOutput => {
    const t = b.plain(t0);
    const r = b.valueRange(t);
    return t.v < 0 ? { v: -1, shift: 0, constant: t.c, lo: t.c, hi: t.c } : { v: t.v, shift: t.shift, lo: r.lo, hi: r.hi };
  };
  const tail = b.mark();
  const outputs = vals.map(toOutput);
  // offsets materialized at the outputs are the last layer's steps
  layers[layers.length - 1]!.postNodes += b.nodes.length - tail;
  const score = spec.score === null ? null : toOutput(sumOfSquares(b, vals));
  const graph: NetworkGraph = { nIn, input: { width: spec.input.width, signed: spec.input.signed }, nodes: b.nodes, outputs, score, outputFormat: outputFormatOf(spec), kernels: b.kernels };
  return { graph, layers };
}

/** The width and signedness the spec gives y: the last layer's output format, argmax's index width, or null. */
function outputFormatOf(spec: Spec): { width: number; signed: boolean } | null {
  const last = spec.layers[spec.layers.length - 1]!;
  if (last.kind === 'argmax') return { width: Math.max(1, Math.ceil(Math.log2(layerInputs(last)))), signed: false };
  if (last.kind === 'flatten') {
    // flatten changes no value: the format is the one before it
    return spec.layers.length > 1 ? outputFormatOf({ ...spec, layers: spec.layers.slice(0, -1) }) : null;
  }
  if (last.kind === 'table') return last.output ? { width: last.output.width, signed: last.output.signed } : null;
  // per-channel formats: one field that holds every channel
  return commonOutputFormat(postOpsOf(last));
}

/**
 * The layers as built: a batchnorm that folds into the dense or conv layer before it makes that
 * layer's entry the fused layer and its own entry null.
 */
function foldBatchNorms(layers: readonly Layer[]): (Layer | null)[] {
  const plan: (Layer | null)[] = [...layers];
  for (let i = 1; i < layers.length; i++) {
    const bn = layers[i]!;
    const prev = plan[i - 1];
    if (bn.kind !== 'batchnorm' || !prev || (prev.kind !== 'dense' && prev.kind !== 'conv1d' && prev.kind !== 'conv2d')) continue;
    if (prev.activation !== 'linear' || !keepsPrecision(prev)) continue;
    plan[i - 1] = fuse(prev, bn);
    plan[i] = null;
  }
  return plan.map((l) => (l === null ? null : withoutPrunedChannels(l)));
}

/**
 * An affine layer whose pruned channels (an output width of 0: always 0) have no weights, bias
 * or offset, so that no hardware is built for them; any other layer as it is.
 */
function withoutPrunedChannels(l: Layer): Layer {
  if (!isAffine(l) || l.outputs === undefined || l.outputs.every((o) => o.width > 0)) return l;
  const live = l.outputs.map((o) => o.width > 0);
  const C = live.length;
  const keep = (v: bigint, c: number): bigint => (live[c % C] ? v : 0n);
  const bias = l.bias === null ? null : l.bias.map(keep);
  if (l.kind === 'dense') return { ...l, bias, weights: l.weights.map((row, o) => row.map((w) => keep(w, o))) };
  if (l.kind === 'batchnorm') return { ...l, bias, scale: l.scale.map(keep), offset: l.offset.map(keep) };
  return { ...l, bias, kernel: l.kernel.map((r) => r.map((t) => t.map((ch) => ch.map(keep)))) };
}

/** scale·(W·u + bias) + offset as one layer: W' = scale·W, bias' = scale·bias + offset, and the batchnorm's post-ops. */
function fuse(prev: DenseLayer | ConvLayer, bn: BatchNormLayer): DenseLayer | ConvLayer {
  const C = bn.scale.length;
  const post: PostOps = { bias: null, activation: bn.activation, alpha: bn.alpha, one: bn.one, shift: bn.shift, rounding: bn.rounding, output: bn.output };
  if (bn.shifts !== undefined) post.shifts = bn.shifts;
  if (bn.outputs !== undefined) post.outputs = bn.outputs;
  const bias = bn.scale.map((s, c) => s * (prev.bias?.[c] ?? 0n) + bn.offset[c]! + (bn.bias?.[c] ?? 0n));
  if (prev.kind === 'dense') {
    const weights = prev.weights.map((row, o) => row.map((w) => w * bn.scale[o % C]!));
    return { ...prev, ...post, weights, bias, outShape: bn.outShape };
  }
  const kernel = prev.kernel.map((r) => r.map((t) => t.map((ch) => ch.map((w, co) => w * bn.scale[co]!))));
  return { ...prev, ...post, kernel, bias, outShape: bn.outShape };
}

function buildLayer(b: NetworkBuilder, layer: Layer, vals: Value[], opts: NetworkOptions): Built {
  const none = { optimize: null, prunedInputs: 0, strategy: null, tried: [] };
  switch (layer.kind) {
    case 'dense': {
      const m = matrixOn(b, layer.weights, vals, opts);
      const postFrom = b.mark();
      return { ...m, outs: m.outs.map((t, o) => postOps(b, layer, t, o)), strategy: m.form, postFrom };
    }
    case 'conv1d':
    case 'conv2d':
      return convolution(b, layer, vals, opts);
    case 'batchnorm':
      return batchNorm(b, layer, vals, opts);
    case 'maxpool1d':
    case 'maxpool2d':
    case 'avgpool1d':
    case 'avgpool2d':
      return pool(b, layer, vals);
    case 'flatten':
      return { ...none, outs: vals, postFrom: b.mark() };
    case 'table':
      return { ...none, outs: vals.map((t) => tableOf(b, layer, t)), postFrom: 0 };
    case 'argmax':
      return { ...none, outs: [argmax(b, vals)], postFrom: 0 };
  }
}

/** The optimizer's input format for a set of values: wide enough for every variable (it only steers its choices). */
function formatOf(b: NetworkBuilder, vars: Iterable<number>): { width: number; signed: boolean } {
  let signed = false;
  const list = [...vars];
  for (const v of list) if (b.range(v).lo < 0n) signed = true;
  let width = 2;
  for (const v of list) {
    const r = b.range(v);
    width = Math.max(width, bitsFor(r.lo, r.hi, signed));
  }
  return { width: Math.min(width, 64), signed };
}

/** What matrixOn built. */
interface MatrixBuilt {
  outs: Value[];
  optimize: OptimizeStats | null;
  prunedInputs: number;
  /** "table" when lookup tables compute part of it, "shift-add" when tables were tried and not kept, else null. */
  form: string | null;
  /** The forms built and their cost (adders, and cells as cellsSince counts them). */
  tried: TriedForm[];
}

/**
 * W·u over values: constants and offsets join each output's constant part, inputs that are the
 * same variable merge into one column, columns no output uses vanish; the rest is one CMVM, or,
 * with narrow inputs (lut-da.ts), a CMVM over lookup tables of groups of inputs, whichever
 * `opts.arith` asks for (auto: the one with fewer cells).
 */
function matrixOn(b: NetworkBuilder, W: readonly (readonly bigint[])[], inputs: readonly Value[], opts: NetworkOptions): MatrixBuilt {
  const rows = W.length;
  const colOf = new Map<number, number>();
  const cols: number[] = [];
  const M: bigint[][] = Array.from({ length: rows }, () => []);
  const offset = new Array<bigint>(rows).fill(0n);
  inputs.forEach((t, i) => {
    if (t.c !== 0n) for (let o = 0; o < rows; o++) offset[o]! += W[o]![i]! * t.c;
    if (t.v < 0) return;
    let col = colOf.get(t.v);
    if (col === undefined) {
      col = cols.length;
      colOf.set(t.v, col);
      cols.push(t.v);
      for (const row of M) row.push(0n);
    }
    for (let o = 0; o < rows; o++) M[o]![col]! += W[o]![i]! << BigInt(t.shift);
  });
  const live = cols.map((_, c) => M.some((row) => row[c] !== 0n));
  const keep = cols.filter((_, c) => live[c]);
  const prunedInputs = inputs.length - keep.length;
  const withOffset = (outs: Value[], extra?: readonly bigint[]): Value[] => outs.map((t, o) => ({ ...t, c: t.c + offset[o]! + (extra?.[o] ?? 0n) }));
  if (keep.length === 0) return { outs: offset.map((c) => constant(c)), optimize: null, prunedInputs, form: null, tried: [] };
  const Mk = M.map((row) => row.filter((_, c) => live[c]));
  const arith = opts.arith ?? DEFAULT_ARITH;
  const start = b.mark();
  const shiftAdd = (res: OptimizeResult): Value[] => b.applyGraph(res.graph, keep.map((v): Value => ({ v, shift: 0, c: 0n })));
  if (arith === 'shift-add') {
    const sa = optimize(Mk, formatOf(b, keep), opts);
    return { outs: withOffset(shiftAdd(sa)), optimize: sa.stats, prunedInputs, form: null, tried: [] };
  }
  // Shift-add, the usual winner, is weighed by its full search; the table forms by their first
  // search attempt (the full search gains a few per cent at most, and costs up to 16 attempts),
  // and only the one kept is searched in full.
  const quick: NetworkOptions = { ...opts, effort: 1, onAttempt: undefined, log: undefined };
  const tried: TriedForm[] = [];
  let sa: OptimizeResult | null = null;
  let saCells = Infinity;
  if (arith === 'auto') {
    sa = optimize(Mk, formatOf(b, keep), opts);
    shiftAdd(sa);
    saCells = cellsSince(b, start);
    tried.push({ strategy: 'shift-add', adders: b.addersSince(start), cells: saCells });
    b.rollback(start);
  }
  const K = opts.lutInputs ?? DEFAULT_LUT_INPUTS;
  let best: { slice: number | null; cells: number } | null = null;
  for (const slice of sliceCandidates(b, Mk, keep, K)) {
    // a form whose lower bound already loses is not searched
    const budget = Math.min((1 - AUTO_MARGIN) * saCells, best?.cells ?? Infinity);
    const t = tablesOn(b, Mk, keep, K, slice, quick, budget);
    b.rollback(start);
    if (t === null) continue;
    tried.push({ strategy: t.name, adders: t.adders, cells: t.cells, ...(t.outs === null ? { atLeast: true } : {}) });
    if (t.outs !== null && (best === null || t.cells < best.cells)) best = { slice, cells: t.cells };
  }
  const weighed = tried.length > 1 ? tried : [];
  if (best === null || best.cells > (1 - AUTO_MARGIN) * saCells) {
    sa ??= optimize(Mk, formatOf(b, keep), opts);
    return { outs: withOffset(shiftAdd(sa)), optimize: sa.stats, prunedInputs, form: weighed.length > 0 ? 'shift-add' : null, tried: weighed };
  }
  const t = tablesOn(b, Mk, keep, K, best.slice, opts)!;
  return { outs: withOffset(t.outs!, t.offset), optimize: t.stats, prunedInputs, form: 'table', tried: weighed };
}

/**
 * The slice widths worth trying: none (narrow columns whole), half a LUT, single bits; those
 * that cut some column. Also whole LUTs (K-bit slices, each alone in its table: the slice times
 * a weight's odd part, FloPoCo's KCM) when the columns wider than K have at most two distinct
 * odd weights each on average: with more, the shift-add graph builds each input's multiples once
 * for every row that uses them, and a table per slice and weight loses (measured: an 8-bit input
 * times one 16-bit constant, 65 → 50 SB_LUT4 + SB_CARRY; times four, the tables cost more).
 */
function sliceCandidates(b: NetworkBuilder, M: readonly (readonly bigint[])[], cols: readonly number[], K: number): (number | null)[] {
  const widths = cols.map((v) => bitsFor(b.range(v).lo, b.range(v).hi));
  const widest = Math.max(...widths);
  const out: (number | null)[] = [null];
  const wide = widths.flatMap((w, c) => (w > K ? [c] : []));
  let odd = 0;
  for (const c of wide) {
    const parts = new Set<bigint>();
    for (const row of M) {
      const w = row[c]! < 0n ? -row[c]! : row[c]!;
      if (w !== 0n) parts.add(w / (w & -w));
    }
    odd += parts.size;
  }
  const kcm = wide.length > 0 && odd <= 2 * wide.length;
  for (const s of [...(kcm ? [K] : []), Math.floor(K / 2), 1]) if (s >= 1 && s < widest && !out.includes(s)) out.push(s);
  return out;
}

/**
 * M over tables (lut-da.ts) and the CMVM over them, built in b: the values and what they cost.
 * When the tables and a lower bound on the CMVM's cells (adderCellsAtLeast) already exceed
 * `budget`, the CMVM is not searched: `outs` is null, and adders and cells are that bound.
 */
function tablesOn(
  b: NetworkBuilder,
  M: readonly (readonly bigint[])[],
  cols: readonly number[],
  K: number,
  slice: number | null,
  opts: NetworkOptions,
  budget = Infinity,
): { outs: Value[] | null; offset: bigint[]; stats: OptimizeStats | null; name: string; adders: number; cells: number } | null {
  const start = b.mark();
  const tf = tableForm(b, M, cols, K, slice);
  // (a form without a table is shift-add over slices: nothing to weigh)
  if (tf === null || tf.tables === 0) return null;
  const live = tf.cols.map((_, c) => tf.M.some((row) => row[c] !== 0n));
  const used = tf.cols.filter((_, c) => live[c]);
  const name = `table${slice === null ? '' : ` (${slice}-bit slices)`}: ${tf.tables} tables over ${tf.groups} groups`;
  const least = adderCellsAtLeast(b, used, tf.M.filter((row) => row.some((x) => x !== 0n)).length);
  const tableCells = cellsSince(b, start);
  if (tableCells + least.cells > budget) return { outs: null, offset: tf.offset, stats: null, name, adders: least.adders, cells: tableCells + least.cells };
  let outs: Value[] = tf.offset.map(() => constant(0n));
  let res: OptimizeResult | null = null;
  if (used.length > 0) {
    res = optimize(tf.M.map((row) => row.filter((_, c) => live[c])), formatOf(b, used), opts);
    outs = b.applyGraph(res.graph, used.map((v): Value => ({ v, shift: 0, c: 0n })));
  }
  return { outs, offset: tf.offset, stats: res?.stats ?? null, name, adders: b.addersSince(start), cells: cellsSince(b, start) };
}

/** Input position (r, c) of an [H, W, C] grid, channel ci, or −1 when it lies in the padding. */
function at(H: number, W: number, C: number, r: number, c: number, ci: number): number {
  return r < 0 || r >= H || c < 0 || c >= W ? -1 : (r * W + c) * C + ci;
}

/**
 * A convolution: per position with the kernel optimized once, and as one Toeplitz-shaped
 * matrix when that is small; the one with fewer adders is kept (ties: per position).
 */
function convolution(b: NetworkBuilder, layer: ConvLayer, vals: Value[], opts: NetworkOptions): Built {
  const [H, W, Cin] = spatial(layer.inShape);
  const [OH, OW, Cout] = spatial(layer.outShape);
  const K = layer.kernel;
  const kh = K.length;
  const kw = K[0]!.length;
  const [sh, sw] = layer.strides;
  const [dh, dw] = layer.dilation;
  const [pt, pl] = layer.padBefore;
  // the kernel matrix: row co, column (i, j, ci); taps with an all-zero column are left out
  const taps: { i: number; j: number; ci: number }[] = [];
  for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) for (let ci = 0; ci < Cin; ci++) if (K[i]![j]![ci]!.some((w) => w !== 0n)) taps.push({ i, j, ci });
  const kernelRows = Array.from({ length: Cout }, (_, co) => taps.map((t) => K[t.i]![t.j]![t.ci]![co]!));
  const patch = (oh: number, ow: number): number[] => taps.map((t) => at(H, W, Cin, oh * sh + t.i * dh - pt, ow * sw + t.j * dw - pl, t.ci));
  const vars = new Set<number>();
  for (const t of vals) if (t.v >= 0) vars.add(t.v);

  // each output position's patch: the input read by each tap, −1 in the padding
  const patches: number[][] = [];
  for (let oh = 0; oh < OH; oh++) for (let ow = 0; ow < OW; ow++) patches.push(patch(oh, ow));
  const choice = opts.conv ?? 'auto';
  const rows = OH * OW * Cout;
  const cols = H * W * Cin;
  const toeplitz = choice !== 'per-position' && taps.length > 0 && OH * OW > 1 && rows * cols <= TOEPLITZ_MAX_ENTRIES;
  // the kernel's search is reported as the layer's progress; a forced Toeplitz form has no kernel
  const kernel = taps.length > 0 && !(toeplitz && choice === 'toeplitz') ? optimize(kernelRows, formatOf(b, vars), opts) : null;

  const start = b.mark();
  const tried: TriedForm[] = [];
  let outs: Value[] = [];
  let stats: OptimizeStats | null = null;
  let strategy = 'per-position';
  /** The kernel as one instance per patch, or its adder graph applied to each patch (padded taps are constant zeros); its adders. */
  const buildPerPosition = (): number => {
    const instanced = kernel && patches.length > 1 && opts.kernelModules !== false ? instances(b, kernel.graph, kernelRows, patches, vals) : null;
    outs = instanced ?? patches.flatMap((idx) => (kernel ? b.applyGraph(kernel.graph, idx.map((k) => (k < 0 ? constant(0n) : vals[k]!))) : kernelRows.map(() => constant(0n))));
    const adders = b.addersSince(start);
    stats = kernel ? { ...kernel.stats, adders, naiveAdders: naivePerPosition() } : null;
    return adders;
  };
  /** The no-sharing count of every patch: the kernel without its padded taps and constant inputs. */
  const naivePerPosition = (): number => {
    let naive = 0;
    const byPattern = new Map<string, number>();
    for (const idx of patches) {
      const key = idx.map((k) => (k < 0 || vals[k]!.v < 0 ? '0' : '1')).join('');
      let n = byPattern.get(key);
      if (n === undefined) {
        n = naiveAdderCount(kernelRows.map((row) => row.map((w, t) => (key[t] === '1' ? w : 0n))));
        byPattern.set(key, n);
      }
      naive += n;
    }
    return naive;
  };
  let ppAdders = Infinity;
  if (kernel !== null || taps.length === 0) {
    ppAdders = buildPerPosition();
    tried.push({ strategy: 'per-position', adders: ppAdders });
  }
  if (toeplitz) {
    const T: bigint[][] = Array.from({ length: rows }, () => new Array<bigint>(cols).fill(0n));
    patches.forEach((idx, pos) => {
      for (let co = 0; co < Cout; co++) {
        const row = T[pos * Cout + co]!;
        idx.forEach((k, t) => {
          if (k >= 0) row[k]! += kernelRows[co]![t]!;
        });
      }
    });
    b.rollback(start);
    // its attempts are not reported: the progress line's "best" is the kernel's, per layer
    const m = matrixOn(b, T, vals, { ...opts, onAttempt: undefined, arith: 'shift-add' });
    const tAdders = b.addersSince(start);
    tried.push({ strategy: 'toeplitz', adders: tAdders });
    if (choice === 'toeplitz' || tAdders < ppAdders) {
      strategy = 'toeplitz';
      stats = m.optimize;
      outs = m.outs;
    } else {
      b.rollback(start);
      buildPerPosition();
    }
  }
  // inputs no tap with a non-zero weight reads, or constants, vanish
  const used = new Uint8Array(vals.length);
  for (const idx of patches) for (const k of idx) if (k >= 0) used[k] = 1;
  const prunedInputs = vals.filter((t, k) => t.v < 0 || !used[k]).length;
  const postFrom = b.mark();
  return { outs: outs.map((t, k) => postOps(b, layer, t, k % Cout)), optimize: stats, prunedInputs, strategy, tried, postFrom };
}

/**
 * A convolution's kernel built once and instantiated at every output position (graph.ts, inst
 * nodes): each instance's inputs are its patch's variables; the offsets of the inputs (a
 * bipolar value's −1, a constant's value) join each output's constant part. The positions whose
 * patches tie the same inputs to zero (padded taps, constant inputs) share one kernel: the
 * kernel's graph with those inputs folded away (foldKernel), so a border position has the
 * adders and widths it needs and no more. There are as many as there are patterns of padding
 * (at most 9 for a 3×3 "same" kernel), whatever the image. Every instance takes its inputs at
 * one base level, the deepest of any patch's, so that each kernel's hardware has one pipeline.
 * Null (build the positions one by one) when the kernel has no adder, or when the inputs'
 * shifts differ (the kernel's matrix would differ between positions). A layer of one position
 * is built without one (its padded taps fold in the graph).
 */
function instances(b: NetworkBuilder, g: AdderGraph, rows: readonly (readonly bigint[])[], patches: readonly (readonly number[])[], vals: readonly Value[]): Value[] | null {
  const shifts = new Set<number>();
  let base = 0;
  for (const idx of patches) {
    for (const k of idx) {
      const t = k < 0 ? null : vals[k]!;
      if (t === null || t.v < 0) continue;
      shifts.add(t.shift);
      base = Math.max(base, b.level(t.v));
    }
  }
  if (shifts.size > 1 || depthOf(g) === 0) return null;
  const s = shifts.size === 0 ? 0 : [...shifts][0]!;
  // the patches by the inputs they tie to zero (padded taps, constant inputs)
  const argsOf = patches.map((idx) => idx.map((k) => (k < 0 || vals[k]!.v < 0 ? -1 : vals[k]!.v)));
  const keyOf = argsOf.map((args) => args.map((v) => (v < 0 ? '0' : '1')).join(''));
  const groups = new Map<string, number[]>();
  keyOf.forEach((key, p) => {
    const list = groups.get(key);
    if (list) list.push(p);
    else groups.set(key, [p]);
  });
  // per group: the graph with its zero inputs folded, and a kernel of it when it has adders
  const kinds = new Map<string, { fg: AdderGraph; kernel: number; depth: number; adders: number; outs: { out: number; coef: bigint[] }[] }>();
  for (const [key, members] of groups) {
    const fg = foldKernel(g, [...key].map((c) => c === '0'));
    const depth = depthOf(fg);
    // each input's range over the group's instances
    const ports = Array.from({ length: g.nIn }, (_, t) => {
      let lo = 0n;
      let hi = 0n;
      members.forEach((p, m) => {
        const v = argsOf[p]![t]!;
        const r = v < 0 ? { lo: 0n, hi: 0n } : b.range(v);
        if (m === 0 || r.lo < lo) lo = r.lo;
        if (m === 0 || r.hi > hi) hi = r.hi;
      });
      return { lo, hi };
    });
    const kernel = depth === 0 ? -1 : b.addKernel({ graph: fg, ports, base });
    // the outputs an instance has (the others are an input or zero), with each input's coefficient in them
    const outs = fg.outputs.flatMap((o, co) => (o.v >= fg.nIn ? [{ out: co, coef: rows[co]!.map((w) => w >> BigInt(o.shift)) }] : []));
    kinds.set(key, { fg, kernel, depth, adders: kernelAdders(fg), outs });
  }
  return patches.flatMap((idx, p) => {
    const args = argsOf[p]!;
    const { fg, kernel, depth, adders, outs } = kinds.get(keyOf[p]!)!;
    const built = kernel < 0 ? [] : b.instance(kernel, args, outs, base + depth, adders);
    let next = 0;
    return fg.outputs.map((o, co) => {
      // the variable part: the instance's output, an input, or zero
      const lin = o.v >= fg.nIn ? built[next++]! : o.v >= 0 && args[o.v]! >= 0 ? { v: args[o.v]!, shift: 0, c: 0n } : constant(0n);
      let c = 0n;
      idx.forEach((k, t) => {
        if (k >= 0) c += rows[co]![t]! * vals[k]!.c;
      });
      const t = b.shl(lin, o.shift + s);
      return b.fold({ ...t, c: t.c + c });
    });
  });
}

/** The deepest output's level of an adder graph (0 when every output is an input or zero). */
function depthOf(g: AdderGraph): number {
  let depth = 0;
  for (const o of g.outputs) if (o.v >= g.nIn) depth = Math.max(depth, g.nodes[o.v - g.nIn]!.level);
  return depth;
}

const graphsOfConstants = new WeakMap<NetworkBuilder, Map<bigint, OptimizeResult>>();

/** The adder graphs of single constants built so far for this network (one search per constant). */
function constantGraphs(b: NetworkBuilder): Map<bigint, OptimizeResult> {
  let m = graphsOfConstants.get(b);
  if (m === undefined) {
    m = new Map();
    graphsOfConstants.set(b, m);
  }
  return m;
}

/**
 * u·k for a constant k, shift-add: the constant's adder graph (one optimized per constant and
 * kept) applied to u.
 */
function mulConst(b: NetworkBuilder, t: Value, k: bigint, cache: Map<bigint, OptimizeResult>, opts: OptimizeOptions): Value {
  if (k === 0n || t.v < 0) return constant(t.c * k);
  let g = cache.get(k);
  if (g === undefined) {
    g = optimize([[k]], formatOf(b, [t.v]), { ...opts, log: undefined, onAttempt: undefined });
    cache.set(k, g);
  }
  const [y] = b.applyGraph(g.graph, [{ ...t, c: 0n }]);
  return { ...y!, c: y!.c + t.c * k };
}

/** A batchnorm kept as its own layer: scale[c]·u + offset[c] per element, then the post-ops. */
function batchNorm(b: NetworkBuilder, layer: BatchNormLayer, vals: Value[], opts: OptimizeOptions): Built {
  const C = layer.scale.length;
  const cache = constantGraphs(b);
  const scaled = vals.map((t, k) => {
    const y = mulConst(b, t, layer.scale[k % C]!, cache, opts);
    return { ...y, c: y.c + layer.offset[k % C]! };
  });
  const postFrom = b.mark();
  return { outs: scaled.map((t, k) => postOps(b, layer, t, k % C)), optimize: null, prunedInputs: vals.filter((t) => t.v < 0).length, strategy: 'shift-add', tried: [], postFrom };
}

/** The values of a pooling window's positions inside the input. */
function windows(layer: PoolLayer): number[][] {
  const [H, W, C] = spatial(layer.inShape);
  const [OH, OW] = spatial(layer.outShape);
  const [ph, pw] = layer.pool;
  const [sh, sw] = layer.strides;
  const [pt, pl] = layer.padBefore;
  const out: number[][] = [];
  for (let oh = 0; oh < OH; oh++) {
    for (let ow = 0; ow < OW; ow++) {
      for (let c = 0; c < C; c++) {
        const w: number[] = [];
        for (let i = 0; i < ph; i++) for (let j = 0; j < pw; j++) {
          const k = at(H, W, C, oh * sh + i - pt, ow * sw + j - pl, c);
          if (k >= 0) w.push(k);
        }
        out.push(w);
      }
    }
  }
  return out;
}

/** Combine values pairwise, neighbours first, until one is left (a balanced tree; order kept). */
function tree<T>(items: T[], pair: (p: T, q: T) => T): T {
  let level = items;
  while (level.length > 1) {
    const next: T[] = [];
    for (let k = 0; k + 1 < level.length; k += 2) next.push(pair(level[k]!, level[k + 1]!));
    if (level.length % 2 === 1) next.push(level[level.length - 1]!);
    level = next;
  }
  return level[0]!;
}

/** Max pooling (comparators and multiplexers) or average pooling (the window's sum), then the pool's shift and fit. */
function pool(b: NetworkBuilder, layer: PoolLayer, vals: Value[]): Built {
  const isMax = layer.kind.startsWith('max');
  const wins = windows(layer);
  const used = new Uint8Array(vals.length);
  const C = spatial(layer.inShape)[2];
  const sums = wins.map((w) => {
    for (const k of w) used[k] = 1;
    if (w.length === 0) throw new Error(`internal: a ${layer.kind} window lies entirely in the padding`);
    return isMax ? tree(w.map((k) => vals[k]!), (p, q) => b.max(p, q)) : sumShallowFirst(b, w.map((k) => vals[k]!));
  });
  const postFrom = b.mark();
  const prunedInputs = vals.filter((t, k) => t.v < 0 || !used[k]).length;
  return { outs: sums.map((t, k) => postOps(b, layer, t, k % C)), optimize: null, prunedInputs, strategy: null, tried: [], postFrom };
}

/** Σ of values: constants fold, then the two shallowest are added first. */
function sumShallowFirst(b: NetworkBuilder, terms: Value[]): Value {
  let c = 0n;
  const parts: Value[] = [];
  for (const t of terms) {
    c += t.c;
    if (t.v >= 0) parts.push({ ...t, c: 0n });
  }
  while (parts.length > 1) {
    parts.sort((p, q) => b.level(p.v) - b.level(q.v) || p.v - q.v);
    const p = parts.shift()!;
    const q = parts.shift()!;
    parts.push(b.add(p, q));
  }
  const t = parts.length === 0 ? constant(0n) : parts[0]!;
  return { ...t, c: t.c + c };
}

/** One element looked up in a table layer (identical tables share their entries). */
function tableOf(b: NetworkBuilder, layer: TableLayer, t: Value): Value {
  const min = layer.input.signed ? -(1n << BigInt(layer.input.width - 1)) : 0n;
  const lookup = (v: bigint): bigint => {
    const e = layer.entries[Number(v - min)];
    if (e === undefined) throw new Error(`internal: table input ${v} is outside the table's ${layer.input.width}-bit range`);
    return e;
  };
  return b.table(t, lookup, { base: min, entries: layer.entries });
}

/** The index of the largest value, ties to the lowest index: (value, index) pairs combined neighbours first. */
function argmax(b: NetworkBuilder, vals: Value[]): Value {
  const best = tree(
    vals.map((v, k) => ({ v, k: constant(BigInt(k)) })),
    (p, q) => {
      // q holds only higher indices than p: it wins only when strictly greater
      const qWins = b.greater(q.v, p.v);
      return { v: b.select(qWins, q.v, p.v), k: b.select(qWins, q.k, p.k) };
    },
  );
  return best.k;
}

/**
 * t / 2^k rounded per `rounding`: floor (wiring), nearest (the half joins the offset, then
 * floor) or nearest_even (an rne node, or wiring when the offset decides).
 */
function roundShift(b: NetworkBuilder, t: Value, k: number, rounding: PostOps['rounding']): Value {
  if (rounding === 'nearest_even') return b.rne(t, k);
  const half = rounding === 'nearest' && k >= 1 ? 1n << BigInt(k - 1) : 0n;
  return b.shr({ ...t, c: t.c + half }, k);
}

/** After the linear part, per element of channel c: + bias, activation, shift with rounding, fit (a pruned channel: 0). */
function postOps(b: NetworkBuilder, layer: AffineLayer | PoolLayer, t0: Value, c: number): Value {
  const f = outputOf(layer, c);
  if (f !== null && f.width === 0) return constant(0n);
  let t = b.fold(t0);
  const k = shiftOf(layer, c);
  t = { ...t, c: t.c + (layer.bias?.[c] ?? 0n) };
  const rounded = (u: Value): Value => roundShift(b, u, k, layer.rounding);
  switch (layer.activation) {
    case 'linear':
      t = rounded(t);
      break;
    case 'relu':
      // relu commutes with the (rounded) floor shift and with rounding to nearest even (both
      // monotonic, 0 to 0): shift first, where the value is narrower
      t = relu(b, rounded(t));
      break;
    case 'leaky_relu': {
      const { mult, shift } = layer.alpha!;
      const slope = b.shr(mulConst(b, t, mult, constantGraphs(b), {}), shift);
      t = rounded(b.select(b.atLeast(t, 0n), t, slope));
      break;
    }
    case 'hard_tanh': {
      const one = layer.one!;
      const above = b.atLeast(t, one + 1n);
      const below = b.atLeast(t, -one);
      t = rounded(b.select(above, constant(one), b.select(below, t, constant(-one))));
      break;
    }
    case 'sign': {
      const s = b.atLeast(t, 0n);
      // the bit s stands for 2s − 1
      t = rounded(s.v < 0 ? constant(2n * s.c - 1n) : { v: s.v, shift: s.shift + 1, c: -1n });
      break;
    }
  }
  if (f !== null) t = fit(b, t, { width: f.width, signed: f.signed, overflow: f.overflow });
  return b.fold(t);
}

/** max(t, 0). */
function relu(b: NetworkBuilder, t: Value): Value {
  const r = b.valueRange(t);
  if (r.hi <= 0n) return constant(0n);
  if (r.lo >= 0n) return t;
  const p = b.plain(t);
  return b.fold({ v: b.nonLinear('relu', p.v, 0), shift: p.shift, c: 0n });
}

/** t fitted to a format (nothing when its range already fits). */
function fit(b: NetworkBuilder, t: Value, fmt: FitFormat): Value {
  const r = b.valueRange(t);
  if (t.v < 0) return constant(fitValue(t.c, fmt));
  if (fitValue(r.lo, fmt) === r.lo && fitValue(r.hi, fmt) === r.hi) return t;
  const p = b.plain(t);
  return b.fold({ v: b.nonLinear('fit', p.v, p.shift, fmt), shift: 0, c: 0n });
}

/** Σ v² over the values: a square node each (constants fold), summed shallowest first. */
function sumOfSquares(b: NetworkBuilder, terms: readonly Value[]): Value {
  let constPart = 0n;
  const parts: Value[] = [];
  for (const t0 of terms) {
    const t = b.plain(t0);
    if (t.v < 0) constPart += t.c * t.c;
    else parts.push({ v: b.nonLinear('square', t.v, 0), shift: 2 * t.shift, c: 0n });
  }
  const s = sumShallowFirst(b, parts);
  return b.plain({ ...s, c: s.c + constPart });
}
