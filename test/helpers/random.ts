import type { Spec } from '../../src/spec/parse.js';
import { Rng } from '../../src/sim/vectors.js';

/** A random spec for property tests: some zero rows/columns and repeated rows on purpose. */
export function randomSpec(rng: Rng, o: { rows: number; cols: number; width: number; signed: boolean; weightBits: number; name?: string }): Spec {
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
  return { format: 1, name: o.name ?? 'dut', input: { width: o.width, signed: o.signed }, weights };
}

/** A random spec of any shape up to maxDim × maxDim, input widths 2..16, signed or not. */
export function randomShapedSpec(rng: Rng, maxDim: number, maxWeightBits: number): Spec {
  return randomSpec(rng, {
    rows: 1 + rng.below(maxDim),
    cols: 1 + rng.below(maxDim),
    width: 2 + rng.below(15),
    signed: rng.below(2) === 0,
    weightBits: 2 + rng.below(maxWeightBits - 1),
  });
}
