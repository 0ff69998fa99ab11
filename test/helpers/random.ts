import { Rng } from '../../src/sim/vectors.js';
import { describeSpec, matrixSpec } from '../../src/spec/spec.js';
import type { Layer, Spec } from '../../src/spec/spec.js';

/** A plain-matrix spec with its matrix at hand, for checks against W·x. */
export type MatrixCase = Spec & { weights: bigint[][] };

/** The spec of a matrix, with the matrix at hand. */
export function matrixCase(name: string, input: { width: number; signed: boolean }, weights: bigint[][]): MatrixCase {
  return { ...matrixSpec(name, input, weights), weights };
}

/** A random spec for property tests: some zero rows/columns and repeated rows on purpose. */
export function randomSpec(rng: Rng, o: { rows: number; cols: number; width: number; signed: boolean; weightBits: number; name?: string }): MatrixCase {
  const lim = 1n << BigInt(o.weightBits - 1);
  const weights: bigint[][] = [];
  const zeroCol = o.cols > 2 && rng.below(3) === 0 ? rng.below(o.cols) : -1;
  for (let r = 0; r < o.rows; r++) {
    const kind = rng.below(10);
    if (kind === 0) {
      weights.push(new Array<bigint>(o.cols).fill(0n)); // zero row
    } else if (kind === 1 && r > 0) {
      weights.push([...weights[rng.below(r)]!]); // repeated row
    } else if (kind === 2 && r > 0) {
      weights.push(weights[rng.below(r)]!.map((w) => -w * 2n)); // negated, shifted copy
    } else {
      weights.push(
        Array.from({ length: o.cols }, (_, c) => {
          if (c === zeroCol) return 0n;
          if (rng.below(5) === 0) return 0n;
          return rng.bigBetween(-lim, lim - 1n);
        }),
      );
    }
  }
  return matrixCase(o.name ?? 'dut', { width: o.width, signed: o.signed }, weights);
}

/** A random spec of any shape up to maxDim × maxDim, input widths 2..16, signed or not. */
export function randomShapedSpec(rng: Rng, maxDim: number, maxWeightBits: number): MatrixCase {
  return randomSpec(rng, {
    rows: 1 + rng.below(maxDim),
    cols: 1 + rng.below(maxDim),
    width: 2 + rng.below(15),
    signed: rng.below(2) === 0,
    weightBits: 2 + rng.below(maxWeightBits - 1),
  });
}

/** The spec as a single matrix (test files read benchmark matrices, never networks). */
export function matrix(s: Spec): MatrixCase {
  const w = describeSpec(s).baseline;
  if (w === null) throw new Error('expected a single matrix, got a network');
  return { ...s, weights: w };
}

/**
 * A random network for property tests: 1–4 layers of 1–32 outputs, ReLU or linear, shifts
 * 0–8, floor or nearest, wrapped or saturated outputs of random widths (or none), with and
 * without bias and score.
 */
export function randomNetwork(rng: Rng, o: { maxLayers?: number; maxWidth?: number; name?: string } = {}): Spec {
  const nLayers = 1 + rng.below(o.maxLayers ?? 4);
  const maxWidth = o.maxWidth ?? 32;
  let nIn = 1 + rng.below(maxWidth);
  const input = { width: 2 + rng.below(9), signed: rng.below(3) > 0, bipolar: false, shape: [nIn] };
  const layers: Layer[] = [];
  for (let l = 0; l < nLayers; l++) {
    const rows = 1 + rng.below(maxWidth);
    const wb = 2 + rng.below(6);
    const m = randomSpec(rng, { rows, cols: nIn, width: 2, signed: true, weightBits: wb }).weights;
    const bias = rng.below(2) === 0 ? Array.from({ length: rows }, () => rng.bigBetween(-(1n << 9n), 1n << 9n)) : null;
    const signed = rng.below(3) > 0;
    const output = rng.below(4) === 0 ? null : { width: (signed ? 2 : 1) + rng.below(11), signed, overflow: rng.below(2) === 0 ? ('wrap' as const) : ('saturate' as const) };
    layers.push({
      kind: 'dense',
      weights: m,
      bias,
      activation: rng.below(2) === 0 ? 'relu' : 'linear',
      alpha: null,
      one: null,
      shift: rng.below(9),
      rounding: rng.below(2) === 0 ? 'floor' : 'nearest',
      output,
      weightFracBits: null,
      inputFracBits: null,
      inShape: [nIn],
      outShape: [rows],
    });
    nIn = rows;
  }
  return { format: 1, name: o.name ?? 'net', input, layers, score: rng.below(2) === 0 ? { kind: 'sum_of_squares', of: 'last' } : null, form: 'layers' };
}
