import { outputOf, shapeSize, shiftOf, spatial } from '../spec/spec.js';
import type {
  ArgmaxLayer,
  BatchNormLayer,
  ConvLayer,
  DenseLayer,
  Layer,
  LayerOutput,
  PoolLayer,
  PostOps,
  Rounding,
  Spec,
  TableLayer,
} from '../spec/spec.js';

/**
 * The reference model: what each output of a design must equal, computed directly with exact
 * BigInt arithmetic, one layer and one output at a time, independently of the optimizer, the
 * netlist and the printer. A plain matrix is a one-layer network, so y = W·x is the same model.
 *
 * Every layer kind is written out as plain loops over output positions, kernel taps and
 * channels, straight from the contract in spec.ts (no patch extraction, no shared code with
 * src/da), so that the hardware is checked against an independent statement of the arithmetic.
 * Values are flat vectors in channels-last order: element (h, w, c) of [H, W, C] is
 * v[(h·W + w)·C + c], and [L, C] is one row ([1, L, C]).
 */

/** What each output (y, then the score if any) must equal for input x. */
export type Reference = (x: readonly bigint[]) => bigint[];

/** y = W·x computed directly. */
export function matVec(weights: readonly (readonly bigint[])[], x: readonly bigint[]): bigint[] {
  return weights.map((row) => {
    let s = 0n;
    for (let i = 0; i < row.length; i++) s += row[i]! * x[i]!;
    return s;
  });
}

/** The reference of y = W·x. */
export function matrixReference(weights: readonly (readonly bigint[])[]): Reference {
  return (x) => matVec(weights, x);
}

/** The reference of a spec: its outputs, then its score if it has one. */
export function referenceOf(spec: Spec): Reference {
  return (x) => {
    const r = networkReference(spec, x);
    return r.score === null ? r.y : [...r.y, r.score];
  };
}

export interface NetworkResult {
  /** The last layer's outputs. */
  y: bigint[];
  /** Σ y_o² when the network has a score, else null. */
  score: bigint | null;
}

/**
 * Drop `k` fractional bits of `a`. floor: floor(a / 2^k), toward −∞. nearest: floor((a + 2^(k−1)) / 2^k),
 * i.e. halves round up, toward +∞ (2.5 → 3, −2.5 → −2). nearest_even: to the nearest integer,
 * halves to the even one (2.5 → 2, 3.5 → 4, −2.5 → −2, −3.5 → −4). k = 0 leaves `a` unchanged.
 */
function shiftRight(a: bigint, k: number, rounding: Rounding): bigint {
  if (k === 0) return a;
  const K = BigInt(k);
  // BigInt `>>` is an arithmetic shift: for negative values it is floor division by 2^k
  // (−5n >> 1n is −3n), never truncation toward zero.
  if (rounding === 'floor') return a >> K;
  const half = 1n << (K - 1n);
  if (rounding === 'nearest') return (a + half) >> K;
  // the fraction dropped, 0 ≤ frac < 2^k, against one half: above rounds up, below down, and a
  // tie goes to the even quotient
  const q = a >> K;
  const frac = a - q * (1n << K);
  if (frac > half) return q + 1n;
  if (frac < half) return q;
  return q % 2n === 0n ? q : q + 1n;
}

/**
 * Fit `a` into `out`: its low `width` bits (wrap), or clamped to the width's range (saturate),
 * or to ±(2^(width−1) − 1) when signed (saturate_symmetric; unsigned as saturate). A width of 0
 * (a pruned channel) is always 0.
 */
function fit(a: bigint, out: LayerOutput): bigint {
  if (out.width === 0) return 0n;
  const w = BigInt(out.width);
  const modulus = 1n << w;
  const lo = out.signed ? (out.overflow === 'saturate_symmetric' ? 1n : 0n) - (1n << (w - 1n)) : 0n;
  const hi = out.signed ? (1n << (w - 1n)) - 1n : modulus - 1n;
  if (out.overflow !== 'wrap') {
    if (a < lo) return lo;
    if (a > hi) return hi;
    return a;
  }
  // wrap: the unique value in [lo, hi] congruent to a modulo 2^w. BigInt `%` keeps the sign of
  // the dividend, so bring the remainder into [0, 2^w) first.
  let r = a % modulus;
  if (r < 0n) r += modulus;
  if (r > hi) r -= modulus;
  return r;
}

/** The activation of `a`, per the contract of PostOps. */
function activate(a: bigint, ops: PostOps, kind: string): bigint {
  switch (ops.activation) {
    case 'linear':
      return a;
    case 'relu':
      return a < 0n ? 0n : a;
    case 'leaky_relu': {
      if (a >= 0n) return a;
      if (ops.alpha === null) throw new Error(`reference model: a ${kind} layer with leaky_relu has no alpha`);
      // floor(a·mult / 2^shift): BigInt `>>` floors toward −∞ (see shiftRight).
      return (a * ops.alpha.mult) >> BigInt(ops.alpha.shift);
    }
    case 'hard_tanh': {
      if (ops.one === null) throw new Error(`reference model: a ${kind} layer with hard_tanh has no one`);
      if (a > ops.one) return ops.one;
      if (a < -ops.one) return -ops.one;
      return a;
    }
    case 'sign':
      return a >= 0n ? 1n : -1n;
  }
}

/**
 * The post-ops of one element of channel `c`, in the fixed order: + bias[c], activation, shift
 * (channel c's, with its rounding), fit to channel c's output.
 */
function post(a: bigint, c: number, ops: PostOps, kind: string): bigint {
  if (ops.bias !== null) a += ops.bias[c]!;
  a = activate(a, ops, kind);
  a = shiftRight(a, shiftOf(ops, c), ops.rounding);
  const out = outputOf(ops, c);
  if (out !== null) a = fit(a, out);
  return a;
}

/** Throws unless `u` has as many values as the layer takes. */
function checkInput(layer: Layer, u: readonly bigint[]): void {
  const n = shapeSize(layer.inShape);
  if (u.length !== n) {
    throw new Error(`reference model: a ${layer.kind} layer of input shape [${layer.inShape.join(', ')}] takes ${n} values but was given ${u.length}`);
  }
}

/** One layer applied to the (flat, channels-last) vector `u`: the layer's outputs, exactly. */
export function layerReference(layer: Layer, u: readonly bigint[]): bigint[] {
  switch (layer.kind) {
    case 'dense':
      return applyDense(layer, u);
    case 'conv1d':
    case 'conv2d':
      return applyConv(layer, u);
    case 'batchnorm':
      return applyBatchNorm(layer, u);
    case 'maxpool1d':
    case 'maxpool2d':
    case 'avgpool1d':
    case 'avgpool2d':
      return applyPool(layer, u);
    case 'flatten':
      checkInput(layer, u);
      return [...u];
    case 'table':
      return applyTable(layer, u);
    case 'argmax':
      return applyArgmax(layer, u);
  }
}

/** Products and sums below this magnitude are exact in doubles (2^53). */
const EXACT_DOUBLE = 2n ** 53n;

/** A layer's weights as doubles, and Σ|w| of each row, for `dotExact` (made once per layer). */
const asDoubles = new WeakMap<DenseLayer, { rows: Float64Array[]; absSum: bigint[] }>();

/**
 * Row `o` of the layer's weights times `u` (`un`: u as doubles, when max|u| < 2^53), exactly. When Σ|w| · max|u| (`uAbs`) is below 2^53
 * every product and every partial sum is an integer that a double holds exactly, so the sum is
 * computed in doubles (about fifty times faster than BigInt, which matters for millions of
 * vectors); otherwise in BigInt.
 */
function dotExact(layer: DenseLayer, o: number, u: readonly bigint[], un: Float64Array | null, uAbs: bigint): bigint {
  const row = layer.weights[o]!;
  let d = asDoubles.get(layer);
  if (d === undefined) {
    d = {
      rows: layer.weights.map((r) => Float64Array.from(r.every((w) => w < EXACT_DOUBLE && -w < EXACT_DOUBLE) ? r.map(Number) : [])),
      absSum: layer.weights.map((r) => r.reduce((t, w) => t + (w < 0n ? -w : w), 0n)),
    };
    asDoubles.set(layer, d);
  }
  const wd = d.rows[o]!;
  if (un !== null && wd.length === row.length && d.absSum[o]! * uAbs < EXACT_DOUBLE) {
    let a = 0;
    for (let i = 0; i < wd.length; i++) a += wd[i]! * un[i]!;
    return BigInt(a);
  }
  let a = 0n;
  for (let i = 0; i < row.length; i++) a += row[i]! * u[i]!;
  return a;
}

/** max |v| over `u`. */
function maxAbs(u: readonly bigint[]): bigint {
  let m = 0n;
  for (const v of u) {
    const a = v < 0n ? -v : v;
    if (a > m) m = a;
  }
  return m;
}

/** A dense layer, in the fixed order W·u, +bias, activation, shift, fit. */
function applyDense(layer: DenseLayer, u: readonly bigint[]): bigint[] {
  const result: bigint[] = [];
  const uAbs = maxAbs(u);
  const un = uAbs < EXACT_DOUBLE ? Float64Array.from(u, Number) : null;
  for (let o = 0; o < layer.weights.length; o++) {
    const row = layer.weights[o]!;
    if (row.length !== u.length) {
      throw new Error(`reference model: weights row ${o} has ${row.length} entries but the layer input has ${u.length}`);
    }
    // A dense output's channel is its index (the output is [n]).
    result.push(post(dotExact(layer, o, u, un, uAbs), o, layer, layer.kind));
  }
  return result;
}

/**
 * A convolution (conv1d is a conv2d with kh = 1), in Keras's arithmetic:
 * out(oh, ow, co) = Σ_{i<kh, j<kw, ci<cin} kernel[i][j][ci][co] · u(oh·sh + i·dh − padTop, ow·sw + j·dw − padLeft, ci),
 * positions outside the input counting zero (skipped), then the post-ops with c = co. Plain
 * BigInt loops: an 18×14×1 input with a 3×3×1×4 kernel runs at about 4000 vectors a second.
 */
function applyConv(layer: ConvLayer, u: readonly bigint[]): bigint[] {
  checkInput(layer, u);
  const [H, W, Cin] = spatial(layer.inShape);
  const [OH, OW, Cout] = spatial(layer.outShape);
  const K = layer.kernel;
  const kh = K.length;
  const kw = K[0]?.length ?? 0;
  if (kh === 0 || kw === 0 || K[0]![0]!.length !== Cin || K[0]![0]![0]!.length !== Cout) {
    throw new Error(
      `reference model: a ${layer.kind} kernel of ${kh} × ${kw} × ${K[0]?.[0]?.length ?? 0} × ${K[0]?.[0]?.[0]?.length ?? 0} does not fit input [${layer.inShape.join(', ')}] and output [${layer.outShape.join(', ')}]`,
    );
  }
  const [sh, sw] = layer.strides;
  const [dh, dw] = layer.dilation;
  const [pt, pl] = layer.padBefore;
  const out = new Array<bigint>(OH * OW * Cout);
  for (let oh = 0; oh < OH; oh++) {
    for (let ow = 0; ow < OW; ow++) {
      for (let co = 0; co < Cout; co++) {
        let a = 0n;
        for (let i = 0; i < kh; i++) {
          const r = oh * sh + i * dh - pt;
          if (r < 0 || r >= H) continue; // a padded row: zero
          for (let j = 0; j < kw; j++) {
            const c = ow * sw + j * dw - pl;
            if (c < 0 || c >= W) continue; // a padded column: zero
            for (let ci = 0; ci < Cin; ci++) a += K[i]![j]![ci]![co]! * u[(r * W + c) * Cin + ci]!;
          }
        }
        out[(oh * OW + ow) * Cout + co] = post(a, co, layer, layer.kind);
      }
    }
  }
  return out;
}

/** Per element of channel c (the last axis): scale[c]·u + offset[c], then the post-ops. */
function applyBatchNorm(layer: BatchNormLayer, u: readonly bigint[]): bigint[] {
  checkInput(layer, u);
  const C = spatial(layer.inShape)[2];
  if (layer.scale.length !== C || layer.offset.length !== C) {
    throw new Error(`reference model: a batchnorm layer over ${C} channels has ${layer.scale.length} scales and ${layer.offset.length} offsets`);
  }
  const out: bigint[] = [];
  for (let k = 0; k < u.length; k++) {
    const c = k % C;
    out.push(post(layer.scale[c]! * u[k]! + layer.offset[c]!, c, layer, layer.kind));
  }
  return out;
}

/**
 * Pooling per channel over windows of rows oh·sh + i − padTop (i < pool[0]) and columns
 * ow·sw + j − padLeft (j < pool[1]). maxpool: the largest value among the window's positions
 * inside the input (padding never wins). avgpool: the window's sum, padded positions counting
 * zero. Then the post-ops (in practice only shift, rounding and output).
 */
function applyPool(layer: PoolLayer, u: readonly bigint[]): bigint[] {
  checkInput(layer, u);
  const [H, W, C] = spatial(layer.inShape);
  const [OH, OW, OC] = spatial(layer.outShape);
  if (OC !== C) throw new Error(`reference model: a ${layer.kind} layer maps ${C} channels to ${OC}`);
  const [ph, pw] = layer.pool;
  const [sh, sw] = layer.strides;
  const [pt, pl] = layer.padBefore;
  const isMax = layer.kind.startsWith('max');
  const out = new Array<bigint>(OH * OW * C);
  for (let oh = 0; oh < OH; oh++) {
    for (let ow = 0; ow < OW; ow++) {
      for (let c = 0; c < C; c++) {
        let a: bigint | null = isMax ? null : 0n;
        for (let i = 0; i < ph; i++) {
          const r = oh * sh + i - pt;
          if (r < 0 || r >= H) continue;
          for (let j = 0; j < pw; j++) {
            const col = ow * sw + j - pl;
            if (col < 0 || col >= W) continue;
            const v = u[(r * W + col) * C + c]!;
            if (isMax) {
              if (a === null || v > a) a = v;
            } else {
              a = a! + v;
            }
          }
        }
        if (a === null) {
          throw new Error(`reference model: the ${layer.kind} window at output (${oh}, ${ow}) lies entirely in the padding`);
        }
        out[(oh * OW + ow) * C + c] = post(a, c, layer, layer.kind);
      }
    }
  }
  return out;
}

/** Each element looked up: entries[u − min], min the least value of the layer's input format. */
function applyTable(layer: TableLayer, u: readonly bigint[]): bigint[] {
  checkInput(layer, u);
  const { width, signed } = layer.input;
  const min = signed ? -(1n << BigInt(width - 1)) : 0n;
  const n = BigInt(layer.entries.length);
  return u.map((v, k) => {
    const idx = v - min;
    if (idx < 0n || idx >= n) {
      const max = min + n - 1n;
      throw new Error(
        `reference model: table input ${v} (element ${k}) is outside the table's ${signed ? 'signed' : 'unsigned'} ${width}-bit range [${min}, ${max}]`,
      );
    }
    return layer.entries[Number(idx)]!;
  });
}

/** The index of the largest input; ties go to the lowest index. */
function applyArgmax(layer: ArgmaxLayer, u: readonly bigint[]): bigint[] {
  checkInput(layer, u);
  if (u.length === 0) throw new Error('reference model: argmax of no values');
  let best = 0;
  for (let k = 1; k < u.length; k++) if (u[k]! > u[best]!) best = k;
  return [BigInt(best)];
}

/**
 * The values the x port carries, as the first layer sees them: unchanged, or for a bipolar
 * input each bit b as 2·b − 1 (1 → +1, 0 → −1).
 */
function inputValues(spec: Spec, x: readonly bigint[]): readonly bigint[] {
  if (!spec.input.bipolar) return x;
  return x.map((b, i) => {
    if (b !== 0n && b !== 1n) throw new Error(`reference model: bipolar input x[${i}] is ${b}, not a bit (0 or 1)`);
    return 2n * b - 1n;
  });
}

/** The network's outputs (and score) for the input vector `x`, exactly. */
export function networkReference(spec: Spec, x: readonly bigint[]): NetworkResult {
  let v: readonly bigint[] = inputValues(spec, x);
  for (const layer of spec.layers) v = layerReference(layer, v);
  const y = [...v];
  let score: bigint | null = null;
  if (spec.score !== null) {
    score = 0n;
    for (const yo of y) score += yo * yo;
  }
  return { y, score };
}
