import type { Reference } from './reference.js';

export interface Mismatch {
  /** Index of the input vector (cycle in which it was applied). */
  vector: number;
  output: number;
  expected: bigint;
  /** null when the design produced no sample for that cycle. */
  got: bigint | null;
}

export interface CompareResult {
  pass: boolean;
  vectors: number;
  /** Number of wrong output values in all. */
  errors: number;
  /** The first few mismatches, in order. */
  mismatches: Mismatch[];
}

/**
 * Compare per-cycle outputs of a pipelined design with its reference model: the outputs sampled
 * in cycle t + latency must equal reference(x_t). `ys` must hold vectors.length + latency samples.
 */
export function compareWithReference(
  reference: Reference,
  vectors: readonly (readonly bigint[])[],
  ys: readonly (readonly bigint[] | null)[],
  latency: number,
  keep = 5,
): CompareResult {
  const mismatches: Mismatch[] = [];
  let errors = 0;
  for (let t = 0; t < vectors.length; t++) {
    const want = reference(vectors[t]!);
    const got = ys[t + latency];
    for (let o = 0; o < want.length; o++) {
      const g = got === undefined || got === null ? undefined : got[o];
      if (g !== want[o]) {
        errors++;
        if (mismatches.length < keep) mismatches.push({ vector: t, output: o, expected: want[o]!, got: g ?? null });
      }
    }
  }
  return { pass: errors === 0, vectors: vectors.length, errors, mismatches };
}

/** Pad vectors with `latency` zero vectors so that the last real vector reaches the outputs. */
export function withFlush(vectors: readonly (readonly bigint[])[], nIn: number, latency: number): bigint[][] {
  const out = vectors.map((v) => [...v]);
  for (let k = 0; k < latency; k++) out.push(new Array<bigint>(nIn).fill(0n));
  return out;
}
