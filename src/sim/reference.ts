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

/** A dense layer, in the fixed order W·u, +bias, activation, shift, fit. */
function applyDense(layer: DenseLayer, u: readonly bigint[]): bigint[] {
  const result: bigint[] = [];
  for (let o = 0; o < layer.weights.length; o++) {
    const row = layer.weights[o]!;
    if (row.length !== u.length) {
      throw new Error(`reference model: weights row ${o} has ${row.length} entries but the layer input has ${u.length}`);
    }
    let a = 0n;
    for (let i = 0; i < row.length; i++) a += row[i]! * u[i]!;
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
