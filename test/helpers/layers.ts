import type { Layer } from '../../src/spec/spec.js';

/** The fields a parsed layer has when only its matrix was given. */
export const LAYER_DEFAULTS: Omit<Layer, 'weights'> = {
  kind: 'dense',
  bias: null,
  activation: 'linear',
  shift: 0,
  rounding: 'floor',
  output: null,
  weightFracBits: null,
  inputFracBits: null,
};

/** A layer with every field given: `weights` plus the overrides, the rest at their defaults. */
export function layerOf(weights: bigint[][], over: Partial<Omit<Layer, 'weights'>> = {}): Layer {
  return { ...LAYER_DEFAULTS, weights, ...over };
}
