import { describe, expect, it } from 'vitest';
import { compile } from '../../src/flows/compile.js';
import { simulateSpec } from '../../src/flows/verify.js';
import { compareWithReference, StreamComparer, withFlush } from '../../src/sim/compare.js';
import { compileNetlist } from '../../src/sim/netlist-sim.js';
import { referenceOf } from '../../src/sim/reference.js';
import type { Reference } from '../../src/sim/reference.js';
import { runStreamed } from '../../src/sim/stream.js';
import { Rng, testVectorBlocks, testVectors, testVectorSequence } from '../../src/sim/vectors.js';
import { inputCount } from '../../src/spec/spec.js';
import { randomNetwork, randomSpec } from '../helpers/random.js';

// `sim` and `check` run their vectors block by block (issue 11: `sim -n 10000000` ran out of
// heap holding every vector and every output). The streamed run must give exactly what the
// one-piece comparison gives, whatever the block size, the latency and where the errors are.

describe('test vectors one at a time', () => {
  it('testVectorSequence and testVectorBlocks give the vectors of testVectors, in order', () => {
    const input = { width: 6, signed: true };
    for (const count of [1, 3, 5, 9, 40, 257]) {
      const all = testVectors(7, input, count, 3);
      expect(Array.from(testVectorSequence(7, input, count, 3))).toEqual(all);
      for (const size of [1, 2, 7, 64, 1000]) {
        const blocks = Array.from(testVectorBlocks(7, input, count, 3, size));
        expect(blocks.flat()).toEqual(all);
        expect(blocks.every((b, k) => b.length === (k === blocks.length - 1 ? count - size * k : size))).toBe(true);
      }
    }
  });

  it('Rng.bigSampler draws exactly what bigBetween draws, for narrow and wide ranges', () => {
    const ranges: [bigint, bigint][] = [
      [0n, 0n],
      [-2n, 1n],
      [0n, 255n],
      [-(2n ** 23n), 2n ** 23n - 1n],
      [0n, 2n ** 24n - 1n],
      [0n, 2n ** 24n],
      [-(2n ** 31n), 2n ** 31n - 1n],
      [5n - 2n ** 60n, 2n ** 60n],
      [2n ** 52n, 2n ** 52n + 10n],
    ];
    for (const [lo, hi] of ranges) {
      const a = new Rng(77);
      const b = new Rng(77);
      const draw = b.bigSampler(lo, hi);
      for (let k = 0; k < 200; k++) expect(draw()).toBe(a.bigBetween(lo, hi));
    }
  });

  it('a block size that is not a positive integer is refused', () => {
    expect(() => Array.from(testVectorBlocks(2, { width: 4, signed: false }, 10, 1, 0))).toThrow(/block size/);
    expect(() => Array.from(testVectorBlocks(2, { width: 4, signed: false }, 10, 1, 2.5))).toThrow(/block size/);
  });
});

/** The per-cycle outputs of the design for the vectors and their flush, in one piece. */
function onePiece(spec: Parameters<typeof compile>[0], latency: number, count: number, seed: number, reference: Reference) {
  const r = compile(spec, { latency });
  const nIn = inputCount(spec);
  const vecs = testVectors(nIn, spec.input, count, seed);
  const ys = compileNetlist(r.netlist).run(withFlush(vecs, nIn, latency));
  return { r, nIn, compare: compareWithReference(reference, vecs, ys, latency) };
}

describe('runStreamed', () => {
  it('equals the one-piece comparison for matrices and networks, every latency and block size', () => {
    const rng = new Rng(11);
    const specs = [randomSpec(rng, { rows: 5, cols: 6, width: 5, signed: true, weightBits: 6 }), randomNetwork(rng, { maxLayers: 3, maxWidth: 5 })];
    for (const spec of specs) {
      for (const latency of [0, 1, 3]) {
        const reference = referenceOf(spec);
        const { r, nIn, compare } = onePiece(spec, latency, 50, 2, reference);
        expect(compare.pass).toBe(true);
        for (const blockSize of [1, 2, 3, 7, 50, 4096]) {
          const s = compileNetlist(r.netlist).stream();
          const got = runStreamed(s.run, { nIn, input: spec.input, count: 50, seed: 2, latency, reference, blockSize });
          expect(got).toEqual(compare);
        }
      }
    }
  });

  it('finds the same wrong outputs, at the same vectors, across block boundaries', () => {
    const rng = new Rng(5);
    const spec = randomSpec(rng, { rows: 3, cols: 4, width: 4, signed: false, weightBits: 5 });
    const right = referenceOf(spec);
    // a reference that is wrong for some vectors: those whose first input is odd
    const wrong: Reference = (x) => right(x).map((v, o) => (x[0]! % 2n === 1n && o === 1 ? v + 1n : v));
    for (const latency of [0, 2, 4]) {
      const { r, nIn, compare } = onePiece(spec, latency, 60, 9, wrong);
      expect(compare.pass).toBe(false);
      for (const blockSize of [1, 3, 5, 16, 60]) {
        const got = runStreamed(compileNetlist(r.netlist).stream().run, { nIn, input: spec.input, count: 60, seed: 9, latency, reference: wrong, blockSize });
        expect(got).toEqual(compare);
        expect(got.errors).toBe(testVectors(nIn, spec.input, 60, 9).filter((x) => x[0]! % 2n === 1n).length);
      }
    }
  });

  it('reports the blocks as they end, with the vectors done so far', () => {
    const spec = randomSpec(new Rng(2), { rows: 2, cols: 2, width: 4, signed: true, weightBits: 4 });
    const r = compile(spec, { latency: 1 });
    const seen: number[] = [];
    runStreamed(compileNetlist(r.netlist).stream().run, {
      nIn: 2,
      input: spec.input,
      count: 10,
      seed: 1,
      latency: 1,
      reference: referenceOf(spec),
      blockSize: 4,
      onBlock: (n) => seen.push(n),
    });
    expect(seen).toEqual([4, 8, 10]);
  });
});

describe('StreamComparer', () => {
  it('a vector whose sample never came counts as wrong, as in compareWithReference', () => {
    const ref: Reference = (x) => [x[0]! * 2n];
    const vecs = [[1n], [2n], [3n]];
    const ys = [null, [2n], [4n]]; // latency 1: the third vector's sample is missing
    const whole = compareWithReference(ref, vecs, ys, 1);
    const c = new StreamComparer(ref, 1);
    c.apply(vecs);
    c.sample(ys);
    expect(c.result()).toEqual(whole);
    expect(whole.errors).toBe(1);
    expect(whole.mismatches[0]).toEqual({ vector: 2, output: 0, expected: 6n, got: null });
  });

  it('keeps the queue as long as the pipeline over many blocks (drops checked vectors)', () => {
    const ref: Reference = (x) => [x[0]!];
    const c = new StreamComparer(ref, 3);
    let t = 0;
    for (let block = 0; block < 200; block++) {
      const vecs = Array.from({ length: 100 }, () => [BigInt(t++)]);
      c.apply(vecs);
      // outputs lag by 3 cycles: sample of cycle k is the vector of cycle k − 3
      c.sample(vecs.map((_, k) => (block * 100 + k >= 3 ? [BigInt(block * 100 + k - 3)] : null)));
      expect((c as unknown as { pending: unknown[] }).pending.length).toBeLessThan(2200);
    }
    c.sample([[BigInt(t - 3)], [BigInt(t - 2)], [BigInt(t - 1)]]);
    expect(c.result()).toEqual({ pass: true, vectors: 20000, errors: 0, mismatches: [] });
  });
});

describe('simulateSpec streams', () => {
  it('gives the one-piece result, whatever block size is asked for', () => {
    const spec = randomSpec(new Rng(8), { rows: 4, cols: 5, width: 6, signed: true, weightBits: 7 });
    const base = simulateSpec(spec, { latency: 2, vectors: 300, seed: 4 });
    expect(base.compare.pass).toBe(true);
    expect(base.compare.vectors).toBe(300);
    for (const blockSize of [1, 17, 300]) expect(simulateSpec(spec, { latency: 2, vectors: 300, seed: 4, blockSize }).compare).toEqual(base.compare);
  });
});
