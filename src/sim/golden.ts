import type { Spec } from '../spec/parse.js';
import { networkReference } from './network-golden.js';

/**
 * The golden model: y = W·x computed directly with exact integers, independent of the
 * optimizer, the netlist and the emitter.
 */
export function matVec(weights: readonly (readonly bigint[])[], x: readonly bigint[]): bigint[] {
  return weights.map((row) => {
    let s = 0n;
    for (let i = 0; i < row.length; i++) s += row[i]! * x[i]!;
    return s;
  });
}

/** The reference for a spec: what each output (y, then the score if any) must equal for input x. */
export type Reference = (x: readonly bigint[]) => bigint[];

export function referenceOf(spec: Spec): Reference {
  if (spec.layers === undefined) return (x) => matVec(spec.weights, x);
  return (x) => {
    const r = networkReference(spec, x);
    return r.score === null ? r.y : [...r.y, r.score];
  };
}

/** Number of inputs (x values) of a spec. */
export function inputCount(spec: Spec): number {
  return spec.layers === undefined ? spec.weights[0]!.length : spec.layers[0]!.weights[0]!.length;
}
