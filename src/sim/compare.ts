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

/**
 * `compareWithReference` fed block by block, for runs too long to hold: `apply` the vectors
 * driven into the design, `sample` the outputs of the same cycles (or of the flush cycles that
 * follow), in order. Only the vectors still in the pipeline, the counts and the first `keep`
 * mismatches are kept. `result()` gives exactly what `compareWithReference` would for all the
 * vectors and samples fed so far (a vector whose sample never came counts as wrong).
 */
export class StreamComparer {
  /** Vectors applied whose samples have not come yet: pending[head …]. */
  private pending: (readonly bigint[])[] = [];
  private head = 0;
  private applied = 0;
  private cycles = 0;
  private errors = 0;
  private readonly mismatches: Mismatch[] = [];

  constructor(
    private readonly reference: Reference,
    private readonly latency: number,
    private readonly keep = 5,
  ) {}

  /** The vectors driven in the next cycles (not the flush vectors). */
  apply(vectors: readonly (readonly bigint[])[]): void {
    for (const v of vectors) this.pending.push(v);
    this.applied += vectors.length;
  }

  /**
   * The outputs sampled in the next cycles, from cycle 0 on (null: some bit unknown). A cycle's
   * vector must be applied before its sample comes; samples beyond the applied vectors (the
   * flush) are not compared.
   */
  sample(ys: readonly (readonly bigint[] | null)[]): void {
    for (const y of ys) {
      const t = this.cycles - this.latency;
      this.cycles++;
      if (t < 0 || t >= this.applied) continue;
      this.check(t, this.pending[this.head]!, y);
      this.pending[this.head++] = [];
    }
    // drop the checked vectors now and then, so that the queue stays as long as the pipeline
    if (this.head > 1024 && this.head * 2 > this.pending.length) {
      this.pending = this.pending.slice(this.head);
      this.head = 0;
    }
  }

  /** Vectors applied so far. */
  get vectors(): number {
    return this.applied;
  }

  result(): CompareResult {
    let errors = this.errors;
    const mismatches = [...this.mismatches];
    // vectors whose outputs never came: every output is wrong (nothing was sampled)
    for (let k = this.head; k < this.pending.length; k++) {
      const t = this.applied - (this.pending.length - k);
      const want = this.reference(this.pending[k]!);
      errors += want.length;
      for (let o = 0; o < want.length && mismatches.length < this.keep; o++) mismatches.push({ vector: t, output: o, expected: want[o]!, got: null });
    }
    return { pass: errors === 0, vectors: this.applied, errors, mismatches };
  }

  private check(t: number, x: readonly bigint[], got: readonly bigint[] | null): void {
    const want = this.reference(x);
    for (let o = 0; o < want.length; o++) {
      const g = got === null ? undefined : got[o];
      if (g !== want[o]) {
        this.errors++;
        if (this.mismatches.length < this.keep) this.mismatches.push({ vector: t, output: o, expected: want[o]!, got: g ?? null });
      }
    }
  }
}
