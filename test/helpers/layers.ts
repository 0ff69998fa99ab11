import type { DenseLayer } from '../../src/spec/spec.js';

/** The fields a parsed dense layer has when only its matrix was given (all but the matrix and the shapes it sets). */
export const LAYER_DEFAULTS: Omit<DenseLayer, 'weights' | 'inShape' | 'outShape'> = {
  kind: 'dense',
  bias: null,
  activation: 'linear',
  alpha: null,
  one: null,
  shift: 0,
  rounding: 'floor',
  output: null,
  weightFracBits: null,
  inputFracBits: null,
};

/**
 * A dense layer with every field given: `weights` plus the overrides, the rest at their
 * defaults; its shapes are [columns] → [rows] unless overridden.
 */
export function layerOf(weights: bigint[][], over: Partial<Omit<DenseLayer, 'weights'>> = {}): DenseLayer {
  return { ...LAYER_DEFAULTS, weights, inShape: [weights[0]!.length], outShape: [weights.length], ...over };
}
