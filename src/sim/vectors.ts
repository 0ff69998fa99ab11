import type { InputFormat } from '../da/graph.js';
import { inputRange } from '../da/graph.js';

/** A small seeded generator (SplitMix32-style), so test vectors are reproducible. */
export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  /** Uniform 32-bit unsigned integer. */
  next(): number {
    this.state = (this.state + 0x9e3779b9) >>> 0;
    let z = this.state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  }
  /** Uniform integer in [0, n) for n ≤ 2^32. */
  below(n: number): number {
    return Math.floor((this.next() / 4294967296) * n);
  }
  /**
   * `bigBetween(lo, hi)` as a function, for many draws from one range: the same values from the
   * same state, but a range of at most 2^24 values is drawn without BigInt arithmetic.
   */
  bigSampler(lo: bigint, hi: bigint): () => bigint {
    const span = hi - lo + 1n;
    // bigBetween draws one 32-bit word while span · 256 ≤ 2^32, and takes it modulo span
    if (span * 256n > 1n << 32n || lo >= 1n << 52n || lo <= -(1n << 52n)) return () => this.bigBetween(lo, hi);
    const n = Number(span);
    const base = Number(lo);
    return () => BigInt(base + (this.next() % n));
  }
  /** Uniform BigInt in [lo, hi]. */
  bigBetween(lo: bigint, hi: bigint): bigint {
    const span = hi - lo + 1n;
    let r = 0n;
    let bits = 0n;
    while (1n << bits < span * 256n) {
      r = (r << 32n) | BigInt(this.next());
      bits += 32n;
    }
    return lo + (r % span);
  }
}

/**
 * Test vectors for an input format: first the extremes that stress the widths (all minimum,
 * all maximum, alternating min/max both ways, each single input at its extreme with the
 * rest zero or at the opposite extreme), then uniform random vectors, `count` in all
 * (at least the extremes are kept when count allows).
 */
export function testVectors(nIn: number, input: InputFormat, count: number, seed = 1): bigint[][] {
  return Array.from(testVectorSequence(nIn, input, count, seed));
}

/**
 * The vectors of `testVectors`, one at a time and in the same order, without holding them all:
 * for runs of millions of vectors.
 */
export function* testVectorSequence(nIn: number, input: InputFormat, count: number, seed = 1): Generator<bigint[], void, undefined> {
  const { lo, hi } = inputRange(input);
  const rng = new Rng(seed);
  const uniform = rng.bigSampler(lo, hi);
  let made = 0;
  const vector = (f: (i: number) => bigint): bigint[] => {
    made++;
    return Array.from({ length: nIn }, (_, i) => f(i));
  };
  const fixed: ((i: number) => bigint)[] = [() => lo, () => hi, (i) => (i % 2 === 0 ? lo : hi), (i) => (i % 2 === 0 ? hi : lo), () => 0n];
  for (const f of fixed) if (made < count) yield vector(f);
  // each input at its extreme: while fewer than half of the vectors are made (checked per pair)
  for (let j = 0; j < nIn && made < count / 2; j++) {
    if (made < count) yield vector((i) => (i === j ? lo : 0n));
    if (made < count) yield vector((i) => (i === j ? hi : lo));
  }
  while (made < count) {
    // Mostly uniform; some vectors draw each input from {lo, hi, random} to hit sign extremes.
    const mode = rng.below(4);
    yield vector(() => {
      if (mode === 0) {
        const c = rng.below(3);
        if (c === 0) return lo;
        if (c === 1) return hi;
      }
      return uniform();
    });
  }
}

/** The vectors of `testVectors` in blocks of `blockSize` (the last one may be shorter). */
export function* testVectorBlocks(nIn: number, input: InputFormat, count: number, seed: number, blockSize: number): Generator<bigint[][], void, undefined> {
  if (!Number.isInteger(blockSize) || blockSize < 1) throw new RangeError(`block size must be a positive integer, got ${blockSize}`);
  let block: bigint[][] = [];
  for (const v of testVectorSequence(nIn, input, count, seed)) {
    block.push(v);
    if (block.length === blockSize) {
      yield block;
      block = [];
    }
  }
  if (block.length > 0) yield block;
}
