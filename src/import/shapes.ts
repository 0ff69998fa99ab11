/**
 * Output shapes of convolutions and pools, with Keras's (TensorFlow's) padding rules, shared by
 * the front ends and the lowering.
 */

import { shapeSize } from '../spec/spec.js';

/** Positions along one axis: "same" gives ⌈L/s⌉, "valid" ⌊(L − (k−1)·d − 1)/s⌋ + 1 (0 or less: none). */
export function axisOut(L: number, k: number, s: number, d: number, padding: 'valid' | 'same'): number {
  if (padding === 'same') return Math.ceil(L / s);
  return Math.floor((L - (k - 1) * d - 1) / s) + 1;
}

/** The shape as [H, W, C]: [n] is [1, 1, n]; [L, C] is [1, L, C]. */
export function hwc(shape: readonly number[]): [number, number, number] {
  if (shape.length === 1) return [1, 1, shape[0]!];
  if (shape.length === 2) return [1, shape[0]!, shape[1]!];
  return [shape[0]!, shape[1]!, shape[2]!];
}

/** Number of elements (the layers format's own count). */
export const sizeOf = shapeSize;

/** The output shape of a rank-1 or rank-2 window operation (conv with `cout` channels, or a pool keeping C). */
export function windowOut(shape: readonly number[], rank: 1 | 2, k: [number, number], s: [number, number], d: [number, number], padding: 'valid' | 'same', cout: number): number[] {
  const [H, W] = hwc(shape);
  const oh = rank === 1 ? 1 : axisOut(H, k[0], s[0], d[0], padding);
  const ow = axisOut(W, k[1], s[1], d[1], padding);
  return rank === 1 ? [ow, cout] : [oh, ow, cout];
}
