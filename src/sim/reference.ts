import type { DenseLayer, Layer, LayerOutput, Rounding, Spec } from '../spec/spec.js';

/**
 * The reference model: what each output of a design must equal, computed directly with exact
 * BigInt arithmetic, one layer and one output at a time, independently of the optimizer, the
 * netlist and the printer. A plain matrix is a one-layer network, so y = W·x is the same model.
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
 * i.e. halves round up, toward +∞ (2.5 → 3, −2.5 → −2). k = 0 leaves `a` unchanged.
 */
function shiftRight(a: bigint, k: number, rounding: Rounding): bigint {
  if (k === 0) return a;
  const K = BigInt(k);
  // BigInt `>>` is an arithmetic shift: for negative values it is floor division by 2^k
  // (−5n >> 1n is −3n), never truncation toward zero.
  if (rounding === 'floor') return a >> K;
  const half = 1n << (K - 1n);
  return (a + half) >> K;
}

/** Fit `a` into `out`: its low `width` bits (wrap), or clamped to the width's range (saturate). */
function fit(a: bigint, out: LayerOutput): bigint {
  const w = BigInt(out.width);
  const modulus = 1n << w;
  const lo = out.signed ? -(1n << (w - 1n)) : 0n;
  const hi = out.signed ? (1n << (w - 1n)) - 1n : modulus - 1n;
  if (out.overflow === 'saturate') {
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

/** One layer applied to the input vector `u`. */
function applyLayer(layer: Layer, u: readonly bigint[]): bigint[] {
  switch (layer.kind) {
    case 'dense':
      return applyDense(layer, u);
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

/** A dense layer, in the fixed order W·u, +bias, activation, shift, fit. */
function applyDense(layer: DenseLayer, u: readonly bigint[]): bigint[] {
  const result: bigint[] = [];
  let uAbs = 0n;
  for (const v of u) uAbs = v < 0n ? (-v > uAbs ? -v : uAbs) : v > uAbs ? v : uAbs;
  const un = uAbs < EXACT_DOUBLE ? Float64Array.from(u, Number) : null;
  for (let o = 0; o < layer.weights.length; o++) {
    const row = layer.weights[o]!;
    if (row.length !== u.length) {
      throw new Error(`reference model: weights row ${o} has ${row.length} entries but the layer input has ${u.length}`);
    }
    let a = dotExact(layer, o, u, un, uAbs);
    if (layer.bias !== null) a += layer.bias[o]!;
    if (layer.activation === 'relu' && a < 0n) a = 0n;
    a = shiftRight(a, layer.shift, layer.rounding);
    if (layer.output !== null) a = fit(a, layer.output);
    result.push(a);
  }
  return result;
}

/** The network's outputs (and score) for the input vector `x`, exactly. */
export function networkReference(spec: Spec, x: readonly bigint[]): NetworkResult {
  let v: readonly bigint[] = x;
  for (const layer of spec.layers) v = applyLayer(layer, v);
  const y = [...v];
  let score: bigint | null = null;
  if (spec.score !== null) {
    score = 0n;
    for (const yo of y) score += yo * yo;
  }
  return { y, score };
}
